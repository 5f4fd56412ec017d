-- Outpost quiz kit: the player's own Lua, compiled into the player and run in
-- each quiz page's sandbox before the lesson's script. It defines the global
-- quiz{...} for course authors (docs/quiz-scripting.md) and returns a private
-- table of functions that player/quiz.c calls. It needs only the sandbox's
-- safe libraries, plus `host`, a few C helpers passed as the chunk argument:
--   host.rng(seed)        -> generator with :int :float :pick :shuffle :chance
--   host.mix(seed, text)  -> integer seed derived from seed and text
--   host.normalise(s, case, spaces, fullwidth) -> string
--   host.number(s)        -> number or nil (accepts "1,234.5", "๑๒", ...)
local host = ...

local type, pairs, ipairs, error, tostring, tonumber, pcall, select, next =
    type, pairs, ipairs, error, tostring, tonumber, pcall, select, next
local setmetatable, rawget = setmetatable, rawget
local floor, abs, huge, maxf, minf = math.floor, math.abs, math.huge, math.max, math.min
local format, concat, insert, sort = string.format, table.concat, table.insert, table.sort
local gsub, find, sub = string.gsub, string.find, string.sub

local TYPES = {"choice", "multi", "truefalse", "numeric", "text", "match", "order",
               "blanks", "hotspot", "scenario"}

-- Fields every question accepts, then per type.
local COMMON = {id = true, prompt = true, hint = true, explain = true, weight = true,
                params = true, attempts = true, feedback = true, shuffle = true}
local FIELDS = {
    choice = {options = true, answer = true},
    multi = {options = true, answer = true},
    truefalse = {answer = true, labels = true},
    numeric = {answer = true, tolerance = true, unit = true},
    text = {answer = true, normalise = true, mistakes = true},
    match = {pairs = true, distractors = true},
    order = {items = true},
    blanks = {text = true, normalise = true},
    hotspot = {image = true, regions = true},
    scenario = {start = true, steps = true},
}
local QUIZ_FIELDS = {title = true, pass = true, attempts = true, shuffle = true, draw = true,
                     penalty = true, intro = true}

---------------------------------------------------------------------------
-- Errors carry the author's "file:line: " (found when the question is
-- declared) so mistakes found later, e.g. after params run, still point there.

local function where(level)
    -- error() at `level` puts that caller's position in its message.
    local _, msg = pcall(error, "", level + 2)
    return msg
end

local function fail(pos, fmt, ...)
    error(pos .. format(fmt, ...), 0)
end

local function describe(def)
    return format("%s '%s'", def.type, tostring(def.id))
end

local function typename(v)
    return type(v) == "table" and "a table" or type(v) == "nil" and "nothing" or "a " .. type(v)
end

local function check_fields(pos, what, t, allowed, allowed2)
    for k in pairs(t) do
        if not (allowed[k] or (allowed2 and allowed2[k])) then
            local hint = ""
            if type(k) == "string" then
                for name in pairs(allowed) do
                    if name == k:sub(1, -2) or name .. "s" == k or name:sub(1, 4) == k:sub(1, 4) then
                        hint = format(" (did you mean '%s'?)", name)
                    end
                end
                if allowed2 then
                    for name in pairs(allowed2) do
                        if name == k:sub(1, -2) or name .. "s" == k then
                            hint = format(" (did you mean '%s'?)", name)
                        end
                    end
                end
            end
            fail(pos, "%s: unknown field '%s'%s", what, tostring(k), hint)
        end
    end
end

local function text_field(pos, what, name, v, required)
    if v == nil and not required then return nil end
    if type(v) ~= "string" and type(v) ~= "number" then
        fail(pos, "%s: field '%s' must be text, got %s", what, name, typename(v))
    end
    return tostring(v)
end

local function list_field(pos, what, name, v, min)
    if type(v) ~= "table" then
        fail(pos, "%s: field '%s' must be a list, got %s", what, name, typename(v))
    end
    local n = #v
    for k in pairs(v) do
        if math.type(k) ~= "integer" or k < 1 or k > n then
            fail(pos, "%s: field '%s' must be a plain list {a, b, ...}", what, name)
        end
    end
    if n < (min or 0) then
        fail(pos, "%s: field '%s' needs at least %d entries, has %d", what, name, min, n)
    end
    return v
end

---------------------------------------------------------------------------
-- Small helpers

local function shuffled_perm(rng, n)
    local p = {}
    for i = 1, n do p[i] = i end
    for i = n, 2, -1 do
        local j = rng:int(1, i)
        p[i], p[j] = p[j], p[i]
    end
    return p
end

local function identity(n)
    local p = {}
    for i = 1, n do p[i] = i end
    return p
end

local function inverse(p)
    local q = {}
    for i, v in ipairs(p) do q[v] = i end
    return q
end

local function esc(s)
    return (gsub(s, "[\\\t\n\r]", {["\\"] = "\\\\", ["\t"] = "\\t", ["\n"] = "\\n", ["\r"] = "\\r"}))
end

local function unesc(s)
    return (gsub(s, "\\(.)", {["\\"] = "\\", t = "\t", n = "\n", r = "\r"}))
end

local function split(s, sep)
    local out, i = {}, 1
    while true do
        local a = find(s, sep, i, true)
        if not a then
            out[#out + 1] = sub(s, i)
            return out
        end
        out[#out + 1] = sub(s, i, a - 1)
        i = a + #sep
    end
end

local function ints(s)
    local out = {}
    if s == "" then return out end
    for _, part in ipairs(split(s, ",")) do
        local n = math.tointeger(tonumber(part))
        if not n then return nil end
        out[#out + 1] = n
    end
    return out
end

local function fmtnum(x)
    if math.type(x) == "integer" then return tostring(x) end
    if x == floor(x) and abs(x) < 1e15 then return format("%d", x) end
    return (format("%.10g", x))
end

local function norm_opts(n)
    n = n or {}
    return n.case ~= false, n.spaces ~= false, n.fullwidth ~= false
end

local function normalise(s, opts)
    local c, sp, fw = norm_opts(opts)
    return host.normalise(s, c, sp, fw)
end

---------------------------------------------------------------------------
-- Question types. Each has:
--   build(inst, pos)   resolve and check the instance (params already drawn)
--   convert(inst, a)   display-order answer from the player -> canonical
--   check(inst, c)     canonical answer -> score 0..1, feedback text or nil
--   show(inst, c)      canonical answer -> text for the review
--   correct(inst)      the canonical correct answer
--   wrong(inst)        a canonical wrong answer, or nil if none exists
--   encode/decode      canonical answer <-> one line (for resume)

local T = {}

local function option_list(inst, pos, what, opts, min)
    list_field(pos, what, "options", opts, min)
    local texts, fbs = {}, {}
    for i, o in ipairs(opts) do
        if type(o) == "table" then
            check_fields(pos, what .. format(" option %d", i), o, {text = true, feedback = true})
            texts[i] = text_field(pos, what, format("options[%d].text", i), o.text, true)
            fbs[i] = text_field(pos, what, format("options[%d].feedback", i), o.feedback)
        else
            texts[i] = text_field(pos, what, format("options[%d]", i), o, true)
        end
    end
    inst.texts, inst.option_feedback = texts, fbs
end

local function display_perm(inst, n, default_shuffle)
    local sh = inst.def.shuffle
    if sh == nil then sh = default_shuffle end
    inst.perm = sh and shuffled_perm(inst.drng, n) or identity(n)
    inst.options = {}
    for d, c in ipairs(inst.perm) do inst.options[d] = inst.texts[c] end
end

local function option_index(inst, pos, what, a, name)
    local n = #inst.texts
    if math.type(a) ~= "integer" then
        fail(pos, "%s: %s must be an option number (1 to %d), got %s", what, name, n, typename(a))
    end
    if a < 1 or a > n then
        fail(pos, "%s: %s %d is out of range (%d options)", what, name, a, n)
    end
    return a
end

local function display_to_option(inst, d)
    if math.type(d) ~= "integer" or not inst.perm[d] then
        error(format("option %s does not exist (the question has %d options)", tostring(d), #inst.perm), 0)
    end
    return inst.perm[d]
end

T.choice = {
    build = function(inst, pos, what)
        option_list(inst, pos, what, inst.f.options, 2)
        inst.answer = option_index(inst, pos, what, inst.f.answer, "answer")
        display_perm(inst, #inst.texts, true)
    end,
    convert = function(inst, d) return display_to_option(inst, d) end,
    check = function(inst, c)
        return c == inst.answer and 1 or 0, inst.option_feedback[c]
    end,
    show = function(inst, c) return inst.texts[c] end,
    correct = function(inst) return inst.answer end,
    wrong = function(inst) return inst.answer == 1 and 2 or 1 end,
    encode = function(c) return tostring(c) end,
    decode = function(s) return math.tointeger(tonumber(s)) end,
}

T.multi = {
    build = function(inst, pos, what)
        option_list(inst, pos, what, inst.f.options, 2)
        local a = inst.f.answer
        if type(a) ~= "table" or #a == 0 then
            fail(pos, "%s: answer must be a list of option numbers, e.g. {1, 3}", what)
        end
        inst.correct_set, inst.n_correct = {}, 0
        for _, k in ipairs(a) do
            option_index(inst, pos, what, k, "answer")
            if inst.correct_set[k] then fail(pos, "%s: answer lists option %d twice", what, k) end
            inst.correct_set[k] = true
            inst.n_correct = inst.n_correct + 1
        end
        display_perm(inst, #inst.texts, true)
    end,
    convert = function(inst, list)
        local seen, out = {}, {}
        for _, d in ipairs(list) do
            local c = display_to_option(inst, d)
            if not seen[c] then
                seen[c] = true
                out[#out + 1] = c
            end
        end
        sort(out)
        return out
    end,
    check = function(inst, c)
        local hits, wrong = 0, 0
        local fb = {}
        for _, k in ipairs(c) do
            if inst.correct_set[k] then hits = hits + 1 else wrong = wrong + 1 end
            if inst.option_feedback[k] then fb[#fb + 1] = inst.option_feedback[k] end
        end
        local s = maxf(0, (hits - wrong) / inst.n_correct)
        return s, #fb > 0 and concat(fb, " ") or nil
    end,
    show = function(inst, c)
        local t = {}
        for _, k in ipairs(c) do t[#t + 1] = inst.texts[k] end
        return #t > 0 and concat(t, "; ") or "(nothing)"
    end,
    correct = function(inst)
        local out = {}
        for k in pairs(inst.correct_set) do out[#out + 1] = k end
        sort(out)
        return out
    end,
    wrong = function(inst)
        for k = 1, #inst.texts do
            if not inst.correct_set[k] then return {k} end
        end
        return {}
    end,
    encode = function(c) return concat(c, ",") end,
    decode = ints,
}

T.truefalse = {
    build = function(inst, pos, what)
        if type(inst.f.answer) ~= "boolean" then
            fail(pos, "%s: answer must be true or false, got %s", what, typename(inst.f.answer))
        end
        inst.answer = inst.f.answer
        local labels = inst.f.labels or {"True", "False"}
        list_field(pos, what, "labels", labels, 2)
        inst.options = {text_field(pos, what, "labels[1]", labels[1], true),
                        text_field(pos, what, "labels[2]", labels[2], true)}
    end,
    convert = function(inst, b)
        if type(b) ~= "boolean" then error("a true/false answer is needed", 0) end
        return b
    end,
    check = function(inst, c) return c == inst.answer and 1 or 0 end,
    show = function(inst, c) return c and inst.options[1] or inst.options[2] end,
    correct = function(inst) return inst.answer end,
    wrong = function(inst) return not inst.answer end,
    encode = function(c) return tostring(c) end,
    decode = function(s) if s == "true" then return true elseif s == "false" then return false end end,
}

local function parse_number(inst, s)
    local t = s
    if inst.unit then
        -- "1 234 USD", "USD 1234": the unit may be typed, in any case.
        local u = normalise(inst.unit, {case = true})
        t = normalise(t, {case = true})
        local a, b = find(t, u, 1, true)
        if a and (a == 1 or b == #t) then t = sub(t, 1, a - 1) .. sub(t, b + 1) end
    end
    return host.number(t)
end

T.numeric = {
    build = function(inst, pos, what)
        local a = inst.f.answer
        if type(a) ~= "number" or a ~= a or a == huge or a == -huge then
            fail(pos, "%s: answer must be a number, got %s", what,
                 type(a) == "number" and tostring(a) or typename(a))
        end
        inst.answer = a
        inst.unit = text_field(pos, what, "unit", inst.f.unit)
        local tol = inst.f.tolerance or 0
        if type(tol) == "string" then
            local pct = tonumber(tol:match("^%s*([%d%.]+)%s*%%%s*$"))
            if not pct then fail(pos, "%s: tolerance must be a number or a percentage like \"1%%\"", what) end
            tol = abs(a) * pct / 100
        elseif type(tol) ~= "number" or tol < 0 then
            fail(pos, "%s: tolerance must be a number >= 0 or a percentage like \"1%%\"", what)
        end
        inst.tolerance = tol
    end,
    convert = function(inst, x)
        if type(x) == "string" then
            local n = parse_number(inst, x)
            if not n then error(format("'%s' is not a number", x), 0) end
            return n
        end
        if type(x) ~= "number" or x ~= x then error("a number is needed", 0) end
        return x
    end,
    check = function(inst, c)
        local slack = inst.tolerance + 1e-9 * maxf(1, abs(inst.answer))
        return abs(c - inst.answer) <= slack and 1 or 0
    end,
    show = function(inst, c) return fmtnum(c) .. (inst.unit and " " .. inst.unit or "") end,
    correct = function(inst) return inst.answer end,
    wrong = function(inst) return inst.answer + 10 * (inst.tolerance + 1) end,
    encode = function(c) return format("%.17g", c) end,
    decode = tonumber,
}

T.text = {
    build = function(inst, pos, what)
        local a = inst.f.answer
        if type(a) == "string" or type(a) == "number" then a = {tostring(a)} end
        list_field(pos, what, "answer", a, 1)
        inst.accepted, inst.accepted_norm = {}, {}
        for i, s in ipairs(a) do
            inst.accepted[i] = text_field(pos, what, format("answer[%d]", i), s, true)
            inst.accepted_norm[normalise(inst.accepted[i], inst.f.normalise)] = true
            if normalise(inst.accepted[i], inst.f.normalise) == "" then
                fail(pos, "%s: answer %d is empty", what, i)
            end
        end
        if inst.f.normalise ~= nil and type(inst.f.normalise) ~= "table" then
            fail(pos, "%s: normalise must be a table like {case = true, spaces = true}", what)
        end
        inst.mistakes = {}
        if inst.f.mistakes ~= nil then
            if type(inst.f.mistakes) ~= "table" then
                fail(pos, "%s: mistakes must be a table {[\"wrong answer\"] = \"feedback\"}", what)
            end
            for k, v in pairs(inst.f.mistakes) do
                inst.mistakes[normalise(text_field(pos, what, "mistakes key", k, true), inst.f.normalise)] =
                    text_field(pos, what, "mistakes[...]", v, true)
            end
        end
    end,
    convert = function(inst, s)
        if type(s) ~= "string" then error("a text answer is needed", 0) end
        return s
    end,
    check = function(inst, c)
        local n = normalise(c, inst.f.normalise)
        if inst.accepted_norm[n] then return 1 end
        return 0, inst.mistakes[n]
    end,
    show = function(inst, c) return c end,
    correct = function(inst) return inst.accepted[1] end,
    wrong = function(inst) return "\u{2205}" end,
    encode = esc,
    decode = unesc,
}

T.match = {
    build = function(inst, pos, what)
        list_field(pos, what, "pairs", inst.f.pairs, 2)
        inst.left, inst.rtexts = {}, {}
        for i, p in ipairs(inst.f.pairs) do
            if type(p) ~= "table" or #p ~= 2 then
                fail(pos, "%s: pairs[%d] must be {left, right}", what, i)
            end
            inst.left[i] = text_field(pos, what, format("pairs[%d][1]", i), p[1], true)
            inst.rtexts[i] = text_field(pos, what, format("pairs[%d][2]", i), p[2], true)
        end
        inst.n_pairs = #inst.left
        if inst.f.distractors ~= nil then
            list_field(pos, what, "distractors", inst.f.distractors)
            for i, d in ipairs(inst.f.distractors) do
                inst.rtexts[#inst.rtexts + 1] = text_field(pos, what, format("distractors[%d]", i), d, true)
            end
        end
        local sh = inst.def.shuffle ~= false
        inst.rperm = sh and shuffled_perm(inst.drng, #inst.rtexts) or identity(#inst.rtexts)
        inst.right = {}
        for d, c in ipairs(inst.rperm) do inst.right[d] = inst.rtexts[c] end
    end,
    convert = function(inst, list)
        if #list ~= inst.n_pairs then
            error(format("a match answer needs one choice for each of the %d left items", inst.n_pairs), 0)
        end
        local out = {}
        for l, d in ipairs(list) do
            if math.type(d) ~= "integer" or not inst.rperm[d] then
                error(format("right item %s does not exist", tostring(d)), 0)
            end
            out[l] = inst.rperm[d]
        end
        return out
    end,
    check = function(inst, c)
        local ok = 0
        for l = 1, inst.n_pairs do
            if c[l] == l then ok = ok + 1 end
        end
        return ok / inst.n_pairs
    end,
    show = function(inst, c)
        local t = {}
        for l = 1, inst.n_pairs do
            t[l] = inst.left[l] .. " \u{2192} " .. (inst.rtexts[c[l]] or "?")
        end
        return concat(t, "; ")
    end,
    correct = function(inst) return identity(inst.n_pairs) end,
    wrong = function(inst)
        local w = {}
        for l = 1, inst.n_pairs do w[l] = l % inst.n_pairs + 1 end
        return w
    end,
    encode = function(c) return concat(c, ",") end,
    decode = ints,
}

T.order = {
    build = function(inst, pos, what)
        list_field(pos, what, "items", inst.f.items, 2)
        inst.texts = {}
        for i, s in ipairs(inst.f.items) do
            inst.texts[i] = text_field(pos, what, format("items[%d]", i), s, true)
        end
        local n = #inst.texts
        -- Shown shuffled, never already in the right order.
        local p = shuffled_perm(inst.drng, n)
        local same = true
        for i = 1, n do
            if p[i] ~= i then same = false end
        end
        if same then p[1], p[2] = p[2], p[1] end
        inst.perm = p
        inst.items = {}
        for d, c in ipairs(p) do inst.items[d] = inst.texts[c] end
    end,
    convert = function(inst, list)
        local n = #inst.texts
        if #list ~= n then error(format("an order answer must list all %d items", n), 0) end
        local out, seen = {}, {}
        for k, d in ipairs(list) do
            local c = math.type(d) == "integer" and inst.perm[d]
            if not c or seen[c] then error("an order answer must list each item once", 0) end
            seen[c] = true
            out[k] = c
        end
        return out
    end,
    check = function(inst, c)
        local ok = 0
        for k, v in ipairs(c) do
            if v == k then ok = ok + 1 end
        end
        return ok / #inst.texts
    end,
    show = function(inst, c)
        local t = {}
        for k, v in ipairs(c) do t[k] = inst.texts[v] end
        return concat(t, " \u{2192} ")
    end,
    correct = function(inst) return identity(#inst.texts) end,
    wrong = function(inst)
        local w = {}
        local n = #inst.texts
        for k = 1, n do w[k] = n + 1 - k end
        return w
    end,
    encode = function(c) return concat(c, ",") end,
    decode = ints,
}

local function blank_equal(inst, given, alts)
    local gn = host.number(given)
    local g = normalise(given, inst.f.normalise)
    for _, a in ipairs(alts) do
        local an = host.number(a)
        if an and gn then
            if abs(an - gn) <= 1e-9 * maxf(1, abs(an)) then return true end
        elseif normalise(a, inst.f.normalise) == g then
            return true
        end
    end
    return false
end

T.blanks = {
    build = function(inst, pos, what)
        local text = text_field(pos, what, "text", inst.f.text, true)
        inst.segments, inst.alts = {}, {}
        local i = 1
        while true do
            local a, b, body = find(text, "{([^{}]*)}", i)
            if not a then break end
            inst.segments[#inst.segments + 1] = sub(text, i, a - 1)
            local alts = split(body, "|")
            for k, s in ipairs(alts) do
                alts[k] = s:match("^%s*(.-)%s*$")
                if alts[k] == "" then fail(pos, "%s: blank %d has an empty answer", what, #inst.alts + 1) end
            end
            inst.alts[#inst.alts + 1] = alts
            i = b + 1
        end
        inst.segments[#inst.segments + 1] = sub(text, i)
        if #inst.alts == 0 then
            fail(pos, "%s: text has no blanks; write each answer in braces, e.g. \"{10} days\"", what)
        end
        for _, seg in ipairs(inst.segments) do
            if find(seg, "[{}]") then fail(pos, "%s: text has an unmatched '{' or '}'", what) end
        end
        inst.n_blanks = #inst.alts
    end,
    convert = function(inst, list)
        if #list ~= inst.n_blanks then
            error(format("a blanks answer needs %d texts", inst.n_blanks), 0)
        end
        for _, s in ipairs(list) do
            if type(s) ~= "string" then error("blanks answers must be texts", 0) end
        end
        return list
    end,
    check = function(inst, c)
        local ok = 0
        for k, alts in ipairs(inst.alts) do
            if blank_equal(inst, c[k], alts) then ok = ok + 1 end
        end
        return ok / inst.n_blanks
    end,
    show = function(inst, c)
        local t = {}
        for k = 1, inst.n_blanks do t[k] = c[k] ~= "" and c[k] or "\u{2014}" end
        return concat(t, "; ")
    end,
    correct = function(inst)
        local t = {}
        for k, alts in ipairs(inst.alts) do t[k] = alts[1] end
        return t
    end,
    wrong = function(inst)
        local t = {}
        for k = 1, inst.n_blanks do t[k] = "" end
        return t
    end,
    encode = function(c)
        local t = {}
        for k, s in ipairs(c) do t[k] = esc(s) end
        return concat(t, "\t")
    end,
    decode = function(s)
        local t = split(s, "\t")
        for k, v in ipairs(t) do t[k] = unesc(v) end
        return t
    end,
}

local function inside(r, x, y)
    return x >= r.x and x <= r.x + r.w and y >= r.y and y <= r.y + r.h
end

T.hotspot = {
    build = function(inst, pos, what)
        inst.image = text_field(pos, what, "image", inst.f.image, true)
        list_field(pos, what, "regions", inst.f.regions, 1)
        inst.regions = {}
        local any, small, big = false, true, 0
        for i, r in ipairs(inst.f.regions) do
            if type(r) ~= "table" then fail(pos, "%s: regions[%d] must be a table", what, i) end
            check_fields(pos, what .. format(" region %d", i), r,
                         {x = true, y = true, w = true, h = true, correct = true, label = true,
                          feedback = true})
            for _, k in ipairs({"x", "y", "w", "h"}) do
                if type(r[k]) ~= "number" or r[k] < 0 then
                    fail(pos, "%s: regions[%d].%s must be a number >= 0", what, i, k)
                end
                if r[k] > 1 then small = false end
            end
            if r.w == 0 or r.h == 0 then fail(pos, "%s: regions[%d] has no area", what, i) end
            big = maxf(big, r.x + r.w, r.y + r.h)
            any = any or r.correct == true
            inst.regions[i] = {x = r.x, y = r.y, w = r.w, h = r.h, correct = r.correct == true,
                               label = text_field(pos, what, "label", r.label),
                               feedback = text_field(pos, what, "feedback", r.feedback)}
        end
        if not any then fail(pos, "%s: no region is marked correct = true", what) end
        inst.fractions = small
        inst.extent = small and 1 or big * 1.25
    end,
    convert = function(inst, p)
        if type(p) ~= "table" or type(p[1]) ~= "number" or type(p[2]) ~= "number" then
            error("a point {x, y} is needed", 0)
        end
        return {p[1], p[2]}
    end,
    check = function(inst, c)
        local hit
        for _, r in ipairs(inst.regions) do
            if inside(r, c[1], c[2]) and (not hit or r.correct) then hit = r end
        end
        if hit and hit.correct then return 1, hit.feedback end
        return 0, hit and (hit.feedback or hit.label) or nil
    end,
    show = function(inst, c)
        for _, r in ipairs(inst.regions) do
            if inside(r, c[1], c[2]) and r.label then return r.label end
        end
        return format("(%s, %s)", fmtnum(c[1]), fmtnum(c[2]))
    end,
    correct = function(inst)
        for _, r in ipairs(inst.regions) do
            if r.correct then return {r.x + r.w / 2, r.y + r.h / 2} end
        end
    end,
    wrong = function(inst)
        local e = inst.extent
        for i = 0, 20 do
            for j = 0, 20 do
                local p = {e * i / 20, e * j / 20}
                if inst.check(inst, p) == 0 then return p end
            end
        end
    end,
    encode = function(c) return format("%.17g,%.17g", c[1], c[2]) end,
    decode = function(s)
        local a, b = s:match("^([^,]+),([^,]+)$")
        a, b = tonumber(a), tonumber(b)
        if a and b then return {a, b} end
    end,
}

-- A scenario is answered one step at a time; its canonical answer is the
-- list of option numbers chosen so far.
local MAX_STEPS = 100

local function scenario_walk(inst, path)
    -- Returns the step reached, the choices that were marked correct, and
    -- the feedback of the last choice; errors if a choice does not exist.
    local id, good, fb = inst.start, 0, nil
    for k, c in ipairs(path) do
        local st = inst.steps[id]
        local o = st.options and st.options[c]
        if not o then error(format("step '%s' has no option %s", id, tostring(c)), 0) end
        if o.correct then good = good + 1 end
        fb = o.feedback
        id = o.next
        if k > MAX_STEPS then break end
    end
    return id, good, fb
end

T.scenario = {
    build = function(inst, pos, what)
        local steps = inst.f.steps
        if type(steps) ~= "table" or next(steps) == nil then
            fail(pos, "%s: steps must be a table of named steps", what)
        end
        inst.start = text_field(pos, what, "start", inst.f.start, true)
        inst.steps = {}
        for id, st in pairs(steps) do
            if type(id) ~= "string" or type(st) ~= "table" then
                fail(pos, "%s: steps must map names to tables, e.g. s1 = {prompt = ...}", what)
            end
            local w = format("%s step '%s'", what, id)
            check_fields(pos, w, st, {prompt = true, options = true, score = true, text = true})
            local s = {prompt = text_field(pos, w, "prompt", st.prompt or st.text, true)}
            if st.options ~= nil then
                list_field(pos, w, "options", st.options, 1)
                s.options, s.texts = {}, {}
                for i, o in ipairs(st.options) do
                    if type(o) ~= "table" then fail(pos, "%s: options[%d] must be a table {text = ..., next = ...}", w, i) end
                    check_fields(pos, w .. format(" option %d", i), o,
                                 {text = true, next = true, correct = true, feedback = true})
                    s.options[i] = {text = text_field(pos, w, "text", o.text, true),
                                    next = text_field(pos, w, format("options[%d].next", i), o.next, true),
                                    correct = o.correct == true,
                                    feedback = text_field(pos, w, "feedback", o.feedback)}
                    s.texts[i] = s.options[i].text
                end
            else
                if st.score ~= nil and (type(st.score) ~= "number" or st.score < 0 or st.score > 1) then
                    fail(pos, "%s: score must be a number from 0 to 1", w)
                end
                s.score = st.score
            end
            inst.steps[id] = s
        end
        if not inst.steps[inst.start] then fail(pos, "%s: start step '%s' does not exist", what, inst.start) end
        for id, s in pairs(inst.steps) do
            for i, o in ipairs(s.options or {}) do
                if not inst.steps[o.next] then
                    fail(pos, "%s: step '%s' option %d leads to '%s', which does not exist", what, id, i, o.next)
                end
            end
        end
        local path = inst.correct(inst)
        if not path then
            fail(pos, "%s: following the correct options from '%s' never reaches an ending", what, inst.start)
        end
    end,
    convert = function(inst, d)
        local path = {}
        for k, v in ipairs(inst.path or {}) do path[k] = v end
        local id = scenario_walk(inst, path)
        local st = inst.steps[id]
        if not st.options then error("the scenario has already ended", 0) end
        if math.type(d) ~= "integer" or not st.options[d] then
            error(format("step '%s' has no option %s", id, tostring(d)), 0)
        end
        path[#path + 1] = d
        return path
    end,
    check = function(inst, c)
        local id, good, fb = scenario_walk(inst, c)
        local st = inst.steps[id]
        if st.options then return 0, fb, false end -- not finished
        local s = st.score or (#c > 0 and good / #c or 0)
        return s, fb, true
    end,
    show = function(inst, c)
        local t, id = {}, inst.start
        for k, v in ipairs(c) do
            local o = inst.steps[id].options[v]
            t[k] = o.text
            id = o.next
        end
        return concat(t, " \u{2192} ")
    end,
    correct = function(inst)
        local id, path, seen = inst.start, {}, {}
        while inst.steps[id].options do
            if seen[id] or #path > MAX_STEPS then return nil end
            seen[id] = true
            local pick
            for i, o in ipairs(inst.steps[id].options) do
                if o.correct then pick = i break end
            end
            if not pick then return nil end
            path[#path + 1] = pick
            id = inst.steps[id].options[pick].next
        end
        return path
    end,
    wrong = function(inst)
        local st = inst.steps[inst.start]
        for i, o in ipairs(st.options or {}) do
            if not o.correct then
                -- Take the wrong turn, then the first option until an end.
                local path, id = {i}, o.next
                while inst.steps[id].options and #path <= MAX_STEPS do
                    path[#path + 1] = 1
                    id = inst.steps[id].options[1].next
                end
                if not inst.steps[id].options then return path end
            end
        end
    end,
    encode = function(c) return concat(c, ",") end,
    decode = ints,
}

for _, name in ipairs(TYPES) do
    assert(T[name], name)
end

---------------------------------------------------------------------------
-- Authoring API: quiz{...} and its methods.

local defs = setmetatable({}, {__mode = "k"}) -- quiz object -> its definition
local instantiate                              -- defined below
local Q = {}                                  -- methods
local QMT = {__index = Q, __metatable = false,
             __newindex = function() error("a quiz object cannot be changed directly", 2) end}

function quiz(opts)
    local pos = where(2)
    if type(opts) ~= "table" then
        fail(pos, "quiz{...}: expected a table of settings, got %s", typename(opts))
    end
    check_fields(pos, "quiz", opts, QUIZ_FIELDS)
    local d = {pos = pos, questions = {}, by_id = {}, handlers = {answered = {}, finished = {}, next = {}}}
    d.title = text_field(pos, "quiz", "title", opts.title) or "Quiz"
    d.intro = text_field(pos, "quiz", "intro", opts.intro)
    d.pass = opts.pass == nil and 0.7 or opts.pass
    if type(d.pass) ~= "number" or d.pass < 0 or d.pass > 1 then
        fail(pos, "quiz: pass must be a number from 0 to 1 (0.7 means 70%%)")
    end
    d.attempts = opts.attempts == nil and 1 or opts.attempts
    if math.type(d.attempts) ~= "integer" or d.attempts < 1 then
        fail(pos, "quiz: attempts must be a whole number >= 1")
    end
    d.penalty = opts.penalty or 0
    if type(d.penalty) ~= "number" or d.penalty < 0 or d.penalty > 1 then
        fail(pos, "quiz: penalty must be a number from 0 to 1")
    end
    d.shuffle = opts.shuffle == true
    if opts.draw ~= nil and (math.type(opts.draw) ~= "integer" or opts.draw < 1) then
        fail(pos, "quiz: draw must be a whole number >= 1")
    end
    d.draw = opts.draw
    local q = setmetatable({}, QMT)
    defs[q] = d
    return q
end

local function definer(tname)
    return function(self, f)
        local pos = where(2)
        local d = defs[self]
        if not d then fail(pos, "%s: call it as q:%s{...} on a quiz made by quiz{...}", tname, tname) end
        if type(f) ~= "table" then
            fail(pos, "%s: expected a table {id = ..., ...}, got %s", tname, typename(f))
        end
        if type(f.id) ~= "string" or f.id == "" then
            fail(pos, "%s: every question needs an id (a short unique name, e.g. id = \"q1\")", tname)
        end
        if d.by_id[f.id] then
            fail(pos, "%s '%s': id is already used by the question at %s", tname, f.id,
                 d.by_id[f.id].pos:sub(1, -3))
        end
        if find(f.id, "[%c]") then fail(pos, "%s '%s': id must not contain control characters", tname, f.id) end
        local def = {type = tname, id = f.id, pos = pos, f = f, shuffle = f.shuffle}
        local what = describe(def)
        check_fields(pos, what, f, COMMON, FIELDS[tname])
        if f.params ~= nil and type(f.params) ~= "function" then
            fail(pos, "%s: params must be a function(rng) returning a table of values", what)
        end
        if f.weight ~= nil and (type(f.weight) ~= "number" or f.weight <= 0) then
            fail(pos, "%s: weight must be a number > 0", what)
        end
        if f.attempts ~= nil and (math.type(f.attempts) ~= "integer" or f.attempts < 1) then
            fail(pos, "%s: attempts must be a whole number >= 1", what)
        end
        if f.feedback ~= nil and type(f.feedback) ~= "table" then
            fail(pos, "%s: feedback must be a table {correct = ..., incorrect = ...}", what)
        end
        d.by_id[f.id] = def
        d.questions[#d.questions + 1] = def
        -- Check it now with a sample draw, so mistakes show at this line
        -- even when the question is not drawn for this learner.
        local ok, err = pcall(instantiate, def, 0)
        if not ok then error(err, 0) end
        return self
    end
end

for _, name in ipairs(TYPES) do
    Q[name] = definer(name)
end

function Q:on(event, fn)
    local pos = where(2)
    local d = defs[self]
    if not d then fail(pos, "on: call it as q:on(\"answered\", function(ev) ... end)") end
    if not d.handlers[event] then
        fail(pos, "on: unknown event '%s' (use \"next\", \"answered\" or \"finished\")", tostring(event))
    end
    if type(fn) ~= "function" then fail(pos, "on: the handler must be a function") end
    insert(d.handlers[event], fn)
    return self
end

---------------------------------------------------------------------------
-- Instances: one learner's drawn, parameterised, shuffled copy of the quiz.

local DYNAMIC = {prompt = true, hint = true, explain = true, answer = true, options = true,
                 items = true, pairs = true, text = true, regions = true, steps = true,
                 tolerance = true, unit = true, labels = true, distractors = true, image = true,
                 start = true, mistakes = true}

function instantiate(def, seed)
    local pos, what = def.pos, describe(def)
    local inst = {def = def, type = def.type, id = def.id, pos = pos}
    for k, v in pairs(T[def.type]) do inst[k] = v end
    local v = {}
    if def.f.params then
        local rng = host.rng(host.mix(seed, def.id))
        v = def.f.params(rng)
        if type(v) ~= "table" then
            fail(pos, "%s: params must return a table of values, got %s", what, typename(v))
        end
    end
    inst.v = v
    -- Fields may be functions of the drawn values.
    local f = {}
    for k, x in pairs(def.f) do
        if DYNAMIC[k] and type(x) == "function" then
            x = x(v)
        end
        f[k] = x
    end
    inst.f = f
    inst.drng = host.rng(host.mix(seed, "display:" .. def.id))
    inst.prompt = text_field(pos, what, "prompt", f.prompt, def.type ~= "blanks") or ""
    inst.hint = text_field(pos, what, "hint", f.hint)
    inst.explain = text_field(pos, what, "explain", f.explain)
    inst.weight = f.weight or 1
    inst.feedback_right = f.feedback and text_field(pos, what, "feedback.correct", f.feedback.correct)
    inst.feedback_wrong = f.feedback and text_field(pos, what, "feedback.incorrect", f.feedback.incorrect)
    inst.build(inst, pos, what)
    return inst
end

local function new_instance(d, seed)
    local all = {}
    for i = 1, #d.questions do all[i] = i end
    local rng = host.rng(host.mix(seed, "#pool"))
    local chosen = all
    if d.draw and d.draw < #all then
        local p = shuffled_perm(rng, #all)
        chosen = {}
        for k = 1, d.draw do chosen[k] = p[k] end
        sort(chosen)
    end
    if d.shuffle then
        local p = shuffled_perm(rng, #chosen)
        local c2 = {}
        for k, j in ipairs(p) do c2[k] = chosen[j] end
        chosen = c2
    end
    local I = {d = d, seed = seed, list = {}, by_id = {}, log = {}}
    for k, j in ipairs(chosen) do
        local inst = instantiate(d.questions[j], seed)
        inst.index = k
        inst.tries, inst.score, inst.locked = 0, 0, false
        inst.max_tries = d.questions[j].f.attempts or d.attempts
        I.list[k] = inst
        I.by_id[inst.id] = inst
    end
    return I
end

---------------------------------------------------------------------------
-- The private API used by player/quiz.c.

local K = {}
local cur         -- the current instance
local script_name -- for messages with no better position

function K.start(q, seed, name)
    script_name = name
    local d = defs[q]
    if not d then
        if q == nil then
            error("the script must end with 'return q' (the quiz made by quiz{...})", 0)
        end
        error("the script must return the quiz made by quiz{...}, not " .. typename(q), 0)
    end
    if #d.questions == 0 then error(d.pos .. "quiz has no questions", 0) end
    cur = new_instance(d, seed)
    return #cur.list
end

function K.info()
    local d = cur.d
    return {title = d.title, intro = d.intro, pass = d.pass, count = #cur.list}
end

function K.view(i)
    local inst = cur.list[i]
    local t = {type = inst.type, id = inst.id, prompt = inst.prompt, hint = inst.hint,
               explain = inst.explain, weight = inst.weight, unit = inst.unit,
               tries = inst.tries, max_tries = inst.max_tries, locked = inst.locked,
               score = inst.score, feedback = inst.last_feedback,
               your_answer = inst.last ~= nil and inst.show(inst, inst.last) or nil,
               correct_answer = inst.show(inst, inst.correct(inst)),
               answered = inst.tries > 0, note = inst.note}
    if inst.type == "choice" or inst.type == "multi" or inst.type == "truefalse" then
        t.options = inst.options
    elseif inst.type == "match" then
        t.left, t.right = inst.left, inst.right
    elseif inst.type == "order" then
        t.items = inst.items
    elseif inst.type == "blanks" then
        t.segments = inst.segments
    elseif inst.type == "hotspot" then
        t.image, t.regions, t.fractions = inst.image, inst.regions, inst.fractions
    elseif inst.type == "scenario" then
        local id = scenario_walk(inst, inst.path or {})
        local st = inst.steps[id]
        t.step, t.step_text = id, st.prompt
        t.options = st.texts or {}
        t.finished = st.options == nil
        t.answered = t.finished
        if not t.finished then t.your_answer = nil end
    end
    return t
end

local function fire(event, ev)
    local out = {}
    for _, fn in ipairs(cur.d.handlers[event]) do
        local r = fn(ev)
        if r ~= nil then out[#out + 1] = tostring(r) end
    end
    return #out > 0 and concat(out, " ") or nil
end

local function all_locked()
    for _, inst in ipairs(cur.list) do
        if not inst.locked then return false end
    end
    return true
end

-- Applies a canonical answer; shared by answering and restoring.
local function apply(inst, c)
    local s, fb, done = inst.check(inst, c)
    if done == nil then done = true end
    if inst.type == "scenario" then
        inst.path = c
        if not done then
            inst.last_feedback = fb
            cur.log[#cur.log + 1] = {inst.id, c[#c]}
            return {score = 0, correct = false, done = false, feedback = fb}
        end
        cur.log[#cur.log + 1] = {inst.id, c[#c]}
        inst.tries = inst.max_tries -- a scenario is walked once
    else
        cur.log[#cur.log + 1] = {inst.id, inst.encode(c)}
        inst.tries = inst.tries + 1
    end
    local penalty = cur.d.penalty * (inst.tries - 1)
    if inst.type == "scenario" then penalty = 0 end
    local full = s >= 1 - 1e-9
    inst.score = maxf(0, minf(1, s) - penalty)
    inst.last = c
    inst.locked = full or inst.tries >= inst.max_tries
    local parts = {}
    if full then
        parts[1] = inst.feedback_right or "Correct."
    elseif s > 0 then
        parts[1] = inst.feedback_wrong or format("Partly correct (%d%%).", floor(s * 100 + 0.5))
    else
        parts[1] = inst.feedback_wrong or "Not quite."
    end
    if fb then parts[#parts + 1] = fb end
    local extra = fire("answered", {id = inst.id, index = inst.index, score = inst.score,
                                   correct = full, tries = inst.tries,
                                   tries_left = inst.max_tries - inst.tries,
                                   answer = inst.show(inst, c), values = inst.v})
    if extra then parts[#parts + 1] = extra end
    inst.last_feedback = concat(parts, " ")
    if inst.locked and all_locked() and not cur.finished then
        cur.finished = true
        local raw, max = 0, 0
        for _, q in ipairs(cur.list) do
            raw, max = raw + q.score * q.weight, max + q.weight
        end
        cur.message = fire("finished", {raw = raw, max = max, scaled = raw / max,
                                        passed = raw / max >= cur.d.pass - 1e-9})
    end
    return {score = inst.score, correct = full, done = true, feedback = inst.last_feedback,
            locked = inst.locked}
end

-- The learner is shown question i (the first one too): "next" handlers may
-- return a note shown above it.
function K.next(i)
    local inst = cur.list[i]
    inst.note = fire("next", {id = inst.id, index = inst.index, values = inst.v})
    return true
end

function K.answer(i, kind, value)
    local inst = cur.list[i]
    if kind ~= inst.type and not (kind == "text" and inst.type == "numeric") then
        error(format("question %d ('%s') is a %s question, not %s", i, inst.id, inst.type, kind), 0)
    end
    if inst.locked then
        error(format("question '%s' is already answered", inst.id), 0)
    end
    local c = inst.convert(inst, value)
    return apply(inst, c)
end

function K.message() return cur.message end

function K.save()
    local t = {"outpost-quiz 1"}
    for _, e in ipairs(cur.log) do
        t[#t + 1] = esc(e[1]) .. "\t" .. tostring(e[2])
    end
    return concat(t, "\n") .. "\n"
end

function K.restore(text)
    local lines = split(text, "\n")
    if lines[1] ~= "outpost-quiz 1" then error("saved answers are in an unknown format", 0) end
    cur = new_instance(cur.d, cur.seed)
    for n = 2, #lines do
        local line = lines[n]
        if line ~= "" then
            local tab = find(line, "\t", 1, true)
            if not tab then error(format("saved answers: line %d is damaged", n), 0) end
            local id, payload = unesc(sub(line, 1, tab - 1)), sub(line, tab + 1)
            local inst = cur.by_id[id]
            -- Questions no longer in the quiz are skipped.
            if inst and not inst.locked then
                local c
                if inst.type == "scenario" then
                    local path = {}
                    for k, v in ipairs(inst.path or {}) do path[k] = v end
                    path[#path + 1] = math.tointeger(tonumber(payload))
                    c = path
                    local ok = pcall(scenario_walk, inst, c)
                    if not ok then c = nil end
                else
                    c = inst.decode(payload)
                end
                if c == nil then error(format("saved answers: line %d is damaged", n), 0) end
                apply(inst, c)
            end
        end
    end
end

-- Checks that each question's own correct answer scores full marks and a
-- wrong one does not, on a fresh instance drawn with `seed`.
function K.selftest(seed)
    local I = new_instance(cur.d, seed)
    -- Every question, drawn or not.
    for _, def in ipairs(cur.d.questions) do
        if not I.by_id[def.id] then
            local inst = instantiate(def, seed)
            I.list[#I.list + 1] = inst
        end
    end
    for _, inst in ipairs(I.list) do
        local what = describe(inst.def)
        local c = inst.correct(inst)
        local s = nil
        if c ~= nil then s = inst.check(inst, c) end
        if not s or s < 1 - 1e-9 then
            error(format("%s%s: its correct answer scores %s with seed %d", inst.pos, what,
                         s and fmtnum(s) or "nothing", seed), 0)
        end
        local w = inst.wrong(inst)
        if w ~= nil then
            local ws = inst.check(inst, w)
            if ws >= 1 - 1e-9 then
                error(format("%s%s: a wrong answer (%s) scores full marks with seed %d", inst.pos,
                             what, inst.show(inst, w), seed), 0)
            end
        end
        -- The answer must survive saving, as resume relies on it.
        if inst.type ~= "scenario" then
            local back = inst.decode(inst.encode(c))
            if back == nil or inst.check(inst, back) < 1 - 1e-9 then
                error(format("%s%s: its answer does not survive saving", inst.pos, what), 0)
            end
        end
    end
    return #I.list
end

return K
