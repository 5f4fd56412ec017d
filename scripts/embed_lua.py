#!/usr/bin/env python3
"""Turns a Lua file into a C source defining a byte array, so the player
carries its trusted Lua (scripts/quizkit.lua) with no files at run time.
Usage: embed_lua.py INPUT.lua OUTPUT.c SYMBOL
Defines: const char SYMBOL[]; const size_t SYMBOL_len; (no trailing NUL counted)"""
import sys

def main():
    src, out, sym = sys.argv[1], sys.argv[2], sys.argv[3]
    data = open(src, 'rb').read()
    lines = ['/* Generated from %s by scripts/embed_lua.py: do not edit. */' % src.split('/')[-1],
             '#include <stddef.h>',
             'const char %s[] = {' % sym]
    for i in range(0, len(data), 16):
        lines.append('  ' + ', '.join('%d' % b for b in data[i:i + 16]) + ',')
    lines.append('  0};')
    lines.append('const size_t %s_len = %d;' % (sym, len(data)))
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')

if __name__ == '__main__':
    main()
