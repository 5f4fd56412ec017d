-- quizzes/origin.lua: the arithmetic and data of the rules-of-origin quiz,
-- required by quizzes/check.lua. The English lesson (rules-of-origin) and the
-- Thai one (rules-of-origin-th) each hold an identical copy of this file, so
-- both quizzes draw the same numbers and compute the same answers; only the
-- wording lives in check.lua. Amounts are kept in whole cents so that every
-- comparison with a threshold is exact.
local M = {}

M.RVC_THRESHOLD = 40 -- RVC40: at least 40% (RCEP Art. 3.5, ATIGA Art. 28-29)
M.DE_MINIMIS = 10    -- at most 10% of FOB (RCEP Art. 3.7, ATIGA)

-- Tariff-change rules and the HS digits each compares.
M.LEVELS = {
  { code = "CC", digits = 2 },
  { code = "CTH", digits = 4 },
  { code = "CTSH", digits = 6 },
}

-- 940 -> "9.40", 123456 -> "1,234.56"
function M.money(cents)
  local s = ("%d.%02d"):format(cents // 100, cents % 100)
  local k
  repeat
    s, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2")
  until k == 0
  return s
end

-- A percentage with one decimal, for explanations: 47.25 -> "47.3"
function M.pct(x)
  return ("%.1f"):format(x)
end

-- The same, as a number: the answer the quizzes ask for ("to one decimal place").
function M.round1(x)
  return math.floor(x * 10 + 0.5) / 10
end

-- cents rounded down to a multiple of 10 cents
local function dimes(x)
  return math.floor(x / 10) * 10
end

-- Build-down (indirect): RVC = (FOB - VNM) / FOB x 100
function M.build_down(fob, vnm)
  return (fob - vnm) / fob * 100
end

-- Build-up (direct): RVC = (VOM + labour + overhead + profit + other) / FOB x 100
function M.build_up(fob, vom, labour, overhead, profit, other)
  return (vom + labour + overhead + profit + other) / fob * 100
end

-- Exact RVC40 test on whole cents: (FOB - VNM) / FOB >= 40%
function M.meets_rvc(fob, vnm)
  return (fob - vnm) * 100 >= M.RVC_THRESHOLD * fob
end

-- Exact de minimis test on whole cents: non-changing materials <= 10% of FOB
function M.within_de_minimis(fob, nonchanging)
  return nonchanging * 100 <= M.DE_MINIMIS * fob
end

---------------------------------------------------------------------------
-- Draws (all amounts in cents).

-- R1-style fan, build-down: three non-originating materials (one of unknown
-- origin, which counts as non-originating) and one originating material.
function M.draw_build_down(rng)
  local fob = rng:int(16, 80) * 100
  local v = {
    fob = fob,
    motor = dimes(fob * rng:int(25, 50) / 100),
    resin = dimes(fob * rng:int(5, 20) / 100),
    unknown = dimes(fob * rng:int(2, 10) / 100),
    originating = dimes(fob * rng:int(5, 15) / 100),
  }
  v.vnm = v.motor + v.resin + v.unknown
  v.rvc = M.build_down(v.fob, v.vnm)
  return v
end

-- R2-style build-up: the cost elements, and the VNM that makes up the rest of FOB.
function M.draw_build_up(rng)
  local fob = rng:int(40, 200) * 100
  local v = {
    fob = fob,
    vom = dimes(fob * rng:int(10, 35) / 100),
    labour = dimes(fob * rng:int(5, 15) / 100),
    overhead = dimes(fob * rng:int(2, 8) / 100),
    profit = dimes(fob * rng:int(3, 10) / 100),
    other = dimes(fob * rng:int(1, 4) / 100),
  }
  v.vnm = fob - (v.vom + v.labour + v.overhead + v.profit + v.other)
  v.rvc = M.build_up(v.fob, v.vom, v.labour, v.overhead, v.profit, v.other)
  return v
end

-- R3-style cumulation: FOB, VNM, and the part of VNM proven originating in
-- another RCEP Party (Art. 3.4). outcome: 1 meets RVC40 without cumulation,
-- 2 fails without but meets with cumulation, 3 fails even with it.
function M.draw_cumulation(rng)
  local fob = rng:int(30, 150) * 100
  local vnm = fob - dimes(fob * rng:int(25, 50) / 100)
  local cum = math.max(10, dimes(fob * rng:int(2, 12) / 100))
  local v = { fob = fob, vnm = vnm, cum = cum }
  v.rvc0 = M.build_down(fob, vnm)
  v.rvc1 = M.build_down(fob, vnm - cum)
  if M.meets_rvc(fob, vnm) then
    v.outcome = 1
  elseif M.meets_rvc(fob, vnm - cum) then
    v.outcome = 2
  else
    v.outcome = 3
  end
  return v
end

-- De minimis: a CTH good whose two non-originating parts stay in its heading.
function M.draw_de_minimis(rng)
  local fob = rng:int(10, 80) * 100
  local total = math.max(20, math.floor(fob * rng:int(30, 160) / 1000 + 0.5))
  local a = math.max(10, math.floor(total * rng:int(30, 70) / 100))
  local v = { fob = fob, a = a, b = total - a }
  v.share = (v.a + v.b) / fob * 100
  v.qualifies = M.within_de_minimis(fob, v.a + v.b)
  return v
end

---------------------------------------------------------------------------
-- Tariff-change cases: a good and its only non-originating input, with real
-- HS 6-digit codes. The rules met are computed by comparing digits, never
-- stored here.
M.CTC_CASES = {
  { good = "9403.60", input = "4407.11",
    en = { "wooden furniture", "sawn pine timber" }, th = { "เฟอร์นิเจอร์ไม้", "ไม้สนเลื่อย" } },
  { good = "6109.10", input = "6006.21",
    en = { "cotton T-shirts", "knitted cotton fabric" }, th = { "เสื้อยืดผ้าฝ้าย", "ผ้าถักฝ้าย" } },
  { good = "6109.10", input = "6109.10",
    en = { "printed cotton T-shirts", "plain cotton T-shirt blanks" }, th = { "เสื้อยืดผ้าฝ้ายพิมพ์ลาย", "เสื้อยืดผ้าฝ้ายเปล่า" } },
  { good = "0901.21", input = "0901.11",
    en = { "roasted coffee", "green (unroasted) coffee" }, th = { "กาแฟคั่ว", "เมล็ดกาแฟดิบ (ยังไม่คั่ว)" } },
  { good = "0901.12", input = "0901.11",
    en = { "decaffeinated green coffee", "green coffee, not decaffeinated" }, th = { "เมล็ดกาแฟดิบที่สกัดคาเฟอีนออก", "เมล็ดกาแฟดิบที่ยังไม่ได้สกัดคาเฟอีน" } },
  { good = "0901.21", input = "0901.21",
    en = { "a blend of roasted coffees", "roasted coffee" }, th = { "กาแฟคั่วเบลนด์", "กาแฟคั่ว" } },
  { good = "1511.90", input = "1511.10",
    en = { "refined palm oil", "crude palm oil" }, th = { "น้ำมันปาล์มบริสุทธิ์", "น้ำมันปาล์มดิบ" } },
  { good = "1701.99", input = "1701.14",
    en = { "refined white sugar", "raw cane sugar" }, th = { "น้ำตาลทรายขาวบริสุทธิ์", "น้ำตาลทรายดิบ" } },
  { good = "5208.12", input = "5205.12",
    en = { "woven cotton fabric", "cotton yarn" }, th = { "ผ้าทอฝ้าย", "ด้ายฝ้าย" } },
  { good = "4011.10", input = "4001.22",
    en = { "car tyres", "technically specified natural rubber" }, th = { "ยางรถยนต์", "ยางธรรมชาติแท่ง (TSNR)" } },
  { good = "3923.21", input = "3901.10",
    en = { "polyethylene bags", "polyethylene granules" }, th = { "ถุงพลาสติกโพลีเอทิลีน", "เม็ดพลาสติกโพลีเอทิลีน" } },
  { good = "8516.60", input = "8537.10",
    en = { "electric rice cookers", "electric control panels" }, th = { "หม้อหุงข้าวไฟฟ้า", "แผงควบคุมไฟฟ้า" } },
  { good = "8414.51", input = "8501.10",
    en = { "electric desk fans", "small electric motors" }, th = { "พัดลมตั้งโต๊ะไฟฟ้า", "มอเตอร์ไฟฟ้าขนาดเล็ก" } },
  { good = "1604.14", input = "0303.42",
    en = { "canned tuna", "frozen yellowfin tuna" }, th = { "ปลาทูน่ากระป๋อง", "ปลาทูน่าครีบเหลืองแช่แข็ง" } },
  { good = "1905.31", input = "1101.00",
    en = { "sweet biscuits", "wheat flour" }, th = { "ขนมบิสกิตหวาน", "แป้งสาลี" } },
  { good = "8544.49", input = "7408.11",
    en = { "insulated electric wire", "refined copper wire" }, th = { "สายไฟฟ้าหุ้มฉนวน", "ลวดทองแดงบริสุทธิ์" } },
}

-- Digits of an HS code without the dot: "0901.21" -> "090121"
local function digits(code)
  return (code:gsub("%.", ""))
end

-- For each entry of M.LEVELS, whether a good of code `good` made from an input
-- of code `input` changes at that level; and whether none does.
function M.ctc(good, input)
  local g, i = digits(good), digits(input)
  local met, any = {}, false
  for k, l in ipairs(M.LEVELS) do
    met[k] = g:sub(1, l.digits) ~= i:sub(1, l.digits)
    any = any or met[k]
  end
  return met, not any
end

-- Option numbers of the rules met (1 CC, 2 CTH, 3 CTSH), or {4} for none.
function M.ctc_answer(good, input)
  local met, none = M.ctc(good, input)
  local out = {}
  for k = 1, #M.LEVELS do
    if met[k] then out[#out + 1] = k end
  end
  if none then out[1] = #M.LEVELS + 1 end
  return out
end

function M.draw_ctc(rng)
  local n = rng:int(1, #M.CTC_CASES)
  local c = M.CTC_CASES[n]
  return { case = n, good = c.good, input = c.input }
end

-- "CC, CTH" style list of the rules met, or nil if none.
function M.ctc_met_list(good, input)
  local met = M.ctc(good, input)
  local t = {}
  for k, l in ipairs(M.LEVELS) do
    if met[k] then t[#t + 1] = l.code end
  end
  return #t > 0 and table.concat(t, ", ") or nil
end

-- The first `n` digits of a code, as written: 2 -> "09", 4 -> "0901", 6 -> "0901.21"
function M.part(code, n)
  local d = digits(code):sub(1, n)
  if n > 4 then d = d:sub(1, 4) .. "." .. d:sub(5) end
  return d
end

---------------------------------------------------------------------------
-- Operations: which are minimal (RCEP Art. 3.6) and never confer origin.
M.OPERATIONS = {
  { minimal = true, en = "Affixing a local brand label and repacking into retail boxes",
    th = "ติดฉลากตราสินค้าท้องถิ่นและบรรจุใหม่ลงกล่องขายปลีก" },
  { minimal = true, en = "Diluting an imported concentrate with water",
    th = "เจือจางหัวเชื้อนำเข้าด้วยน้ำ" },
  { minimal = true, en = "Simple painting and polishing of imported parts",
    th = "ทาสีอย่างง่ายและขัดเงาชิ้นส่วนนำเข้า" },
  { minimal = false, en = "Spinning imported cotton fibre into yarn and weaving it into fabric",
    th = "ปั่นเส้นใยฝ้ายนำเข้าเป็นด้าย แล้วทอเป็นผืนผ้า" },
}

function M.first_not_minimal()
  for i, op in ipairs(M.OPERATIONS) do
    if not op.minimal then return i end
  end
end

return M
