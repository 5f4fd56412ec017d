-- quizzes/check.lua: แบบทดสอบท้ายบทเรียนกฎว่าด้วยถิ่นกำเนิดสินค้า (ฉบับภาษาไทย)
-- The Thai quiz. Numbers and answers come from quizzes/origin.lua, an
-- identical copy of the English lesson's file; this file holds only the Thai
-- wording. Question ids are the same as in the English quiz.
local O = require("quizzes/origin")
local money, pct = O.money, O.pct

-- The kit's standard feedback is in English; every question here gives its own.
local FB = { correct = "ถูกต้อง", incorrect = "ยังไม่ถูกต้อง" }

local q = quiz{
  title = "แบบทดสอบ: กฎว่าด้วยถิ่นกำเนิดสินค้า",
  intro = "คำถาม 9 ข้อเกี่ยวกับ RVC เกณฑ์การเปลี่ยนพิกัด การสะสมถิ่นกำเนิดสินค้า เกณฑ์ De minimis และการดำเนินการเพียงเล็กน้อย ตัวเลขในโจทย์จะแตกต่างกันไปสำหรับผู้เรียนแต่ละคน จึงควรเตรียมเครื่องคิดเลขไว้",
  pass = 0.7,
  attempts = 2,
  penalty = 0.25,
  shuffle = true,
}

---------------------------------------------------------------------------
-- 1. RVC วิธีทางอ้อม (ตัวอย่าง R1 ด้วยตัวเลขใหม่)

q:numeric{
  id = "rvc-build-down",
  weight = 2,
  params = O.draw_build_down,
  prompt = function(v)
    return ("ภายใต้ ATIGA โรงงานแห่งหนึ่งผลิตพัดลมไฟฟ้าราคา FOB %s (มูลค่าเป็นดอลลาร์สหรัฐ) โดยใช้วัตถุดิบดังนี้ "
      .. "มอเตอร์นำเข้า %s เม็ดพลาสติกนำเข้า %s ชิ้นส่วนที่ไม่ทราบถิ่นกำเนิด %s "
      .. "และสวิตช์ที่มีถิ่นกำเนิดซึ่งซื้อจากผู้ผลิตในประเทศ %s "
      .. "RVC ตามวิธีทางอ้อม (Build-down) เป็นร้อยละเท่าใด (ตอบทศนิยมหนึ่งตำแหน่ง)")
      :format(money(v.fob), money(v.motor), money(v.resin), money(v.unknown), money(v.originating))
  end,
  answer = function(v) return O.round1(v.rvc) end,
  tolerance = 0.1,
  unit = "%",
  feedback = FB,
  hint = "RVC = (FOB - VNM) / FOB x 100 วัตถุดิบใดบ้างที่ต้องนับรวมใน VNM",
  explain = function(v)
    return ("VNM = %s + %s + %s = %s เพราะวัตถุดิบที่ไม่ทราบถิ่นกำเนิดให้ถือเป็นวัตถุดิบที่ไม่มีถิ่นกำเนิด "
      .. "ส่วนสวิตช์ที่มีถิ่นกำเนิดไม่นับรวม RVC = (%s - %s) / %s x 100 = ร้อยละ %s (ATIGA ข้อ 29, RCEP ข้อ 3.5) %s")
      :format(money(v.motor), money(v.resin), money(v.unknown), money(v.vnm), money(v.fob), money(v.vnm),
              money(v.fob), pct(v.rvc),
              O.meets_rvc(v.fob, v.vnm) and "ไม่น้อยกว่าร้อยละ 40 จึงผ่านเกณฑ์ RVC40"
                                         or "ต่ำกว่าร้อยละ 40 จึงไม่ผ่านเกณฑ์ RVC40")
  end,
}

---------------------------------------------------------------------------
-- 2. RVC วิธีทางตรง (ตัวอย่าง R2 ด้วยตัวเลขใหม่)

q:numeric{
  id = "rvc-build-up",
  weight = 2,
  params = O.draw_build_up,
  prompt = function(v)
    return ("ภายใต้ RCEP ผู้ผลิตชิ้นส่วนจักรยานรายหนึ่งขายสินค้าในราคา FOB %s ต่อหน่วย (มูลค่าเป็นดอลลาร์สหรัฐ) "
      .. "มีต้นทุนดังนี้ วัตถุดิบที่มีถิ่นกำเนิด (VOM) %s ค่าแรงงานทางตรง %s ค่าโสหุ้ยทางตรง %s กำไร %s "
      .. "และต้นทุนอื่น ๆ %s ส่วนที่เหลือ %s เป็นวัตถุดิบที่ไม่มีถิ่นกำเนิด "
      .. "RVC ตามวิธีทางตรง (Build-up) เป็นร้อยละเท่าใด (ตอบทศนิยมหนึ่งตำแหน่ง)")
      :format(money(v.fob), money(v.vom), money(v.labour), money(v.overhead), money(v.profit),
              money(v.other), money(v.vnm))
  end,
  answer = function(v) return O.round1(v.rvc) end,
  tolerance = 0.1,
  unit = "%",
  feedback = FB,
  hint = "RVC = (VOM + ค่าแรงงานทางตรง + ค่าโสหุ้ยทางตรง + กำไร + ต้นทุนอื่น ๆ) / FOB x 100",
  explain = function(v)
    local up = v.vom + v.labour + v.overhead + v.profit + v.other
    return ("(%s + %s + %s + %s + %s) / %s x 100 = %s / %s x 100 = ร้อยละ %s (RCEP ข้อ 3.5) "
      .. "วิธีทางอ้อมให้ผลเท่ากัน คือ (%s - %s) / %s x 100 ตัวหารคือราคา FOB ไม่ใช่มูลค่าศุลกากร")
      :format(money(v.vom), money(v.labour), money(v.overhead), money(v.profit), money(v.other), money(v.fob),
              money(up), money(v.fob), pct(v.rvc), money(v.fob), money(v.vnm), money(v.fob))
  end,
}

---------------------------------------------------------------------------
-- 3. การสะสมถิ่นกำเนิดสินค้าและเกณฑ์ RVC40 (ตัวอย่าง R3 ด้วยตัวเลขใหม่)

q:choice{
  id = "rvc-cumulation",
  params = O.draw_cumulation,
  prompt = function(v)
    return ("ภายใต้ RCEP ผู้ผลิตรายหนึ่งผลิตตู้ควบคุมไฟฟ้าราคา FOB %s (มูลค่าเป็นดอลลาร์สหรัฐ) "
      .. "วัตถุดิบที่ไม่มีถิ่นกำเนิด (VNM) มีมูลค่ารวม %s ซึ่งรวมวัตถุดิบมูลค่า %s "
      .. "ที่ผู้จำหน่ายพิสูจน์ได้ว่ามีถิ่นกำเนิดในภาคี RCEP อื่น กฎเฉพาะรายสินค้าคือ RVC40 ข้อใดถูกต้อง")
      :format(money(v.fob), money(v.vnm), money(v.cum))
  end,
  options = {
    "ผ่านเกณฑ์ RVC40 แม้ไม่ใช้การสะสมถิ่นกำเนิด",
    "ไม่ผ่านเกณฑ์ RVC40 หากไม่ใช้การสะสมถิ่นกำเนิด แต่ผ่านเมื่อใช้การสะสม",
    "ไม่ผ่านเกณฑ์ RVC40 แม้ใช้การสะสมถิ่นกำเนิดแล้ว",
  },
  shuffle = false,
  answer = function(v) return v.outcome end,
  feedback = FB,
  hint = "คำนวณ RVC = (FOB - VNM) / FOB x 100 สองครั้ง ครั้งแรกนับวัตถุดิบทั้งหมดใน VNM ครั้งที่สองหักวัตถุดิบที่พิสูจน์ถิ่นกำเนิดได้ออก",
  explain = function(v)
    return ("ไม่ใช้การสะสม: (%s - %s) / %s x 100 = ร้อยละ %s เมื่อใช้การสะสม (RCEP ข้อ 3.4) "
      .. "วัตถุดิบที่พิสูจน์ได้ว่ามีถิ่นกำเนิดในภาคีอื่นให้ถือว่ามีถิ่นกำเนิด VNM จึงลดลง %s เหลือ %s: "
      .. "(%s - %s) / %s x 100 = ร้อยละ %s เกณฑ์ RVC40 กำหนดไม่น้อยกว่าร้อยละ 40")
      :format(money(v.fob), money(v.vnm), money(v.fob), pct(v.rvc0), money(v.cum), money(v.vnm - v.cum),
              money(v.fob), money(v.vnm - v.cum), money(v.fob), pct(v.rvc1))
  end,
}

---------------------------------------------------------------------------
-- 4. การเปลี่ยนพิกัดผ่านเกณฑ์ใดบ้าง

local level_names = { CC = "CC (การเปลี่ยนพิกัดในระดับตอน)", CTH = "CTH (การเปลี่ยนพิกัดในระดับประเภท)",
                      CTSH = "CTSH (การเปลี่ยนพิกัดในระดับประเภทย่อย)" }
local level_words = { CC = "ตอน", CTH = "ประเภท", CTSH = "ประเภทย่อย" }
local level_options = {}
for k, l in ipairs(O.LEVELS) do level_options[k] = level_names[l.code] end
level_options[#O.LEVELS + 1] = "ไม่ผ่านเกณฑ์ใดเลย"

q:multi{
  id = "ctc-rules",
  params = O.draw_ctc,
  prompt = function(v)
    local c = O.CTC_CASES[v.case]
    return ("ผู้ผลิตในประเทศภาคี RCEP ผลิต%s (พิกัด HS %s) จากวัตถุดิบที่ไม่มีถิ่นกำเนิดเพียงรายการเดียว คือ %s "
      .. "(พิกัด HS %s) วัตถุดิบอื่นทั้งหมดมีถิ่นกำเนิด การผลิตนี้ผ่านเกณฑ์การเปลี่ยนพิกัดข้อใดบ้าง")
      :format(c.th[1], v.good, c.th[2], v.input)
  end,
  options = level_options,
  shuffle = false,
  answer = function(v) return O.ctc_answer(v.good, v.input) end,
  feedback = FB,
  hint = "เปรียบเทียบพิกัดทั้งสอง: 2 หลักแรกคือตอน 4 หลักแรกคือประเภท และครบ 6 หลักคือประเภทย่อย",
  explain = function(v)
    local t = {}
    for k, l in ipairs(O.LEVELS) do
      local a, b = O.part(v.good, l.digits), O.part(v.input, l.digits)
      t[k] = ("%s เทียบ %d หลัก (%s): %s กับ %s %s"):format(l.code, l.digits, level_words[l.code], b, a,
                                                            a ~= b and "เปลี่ยน" or "ไม่เปลี่ยน")
    end
    local met = O.ctc_met_list(v.good, v.input)
    return table.concat(t, " ") .. " " .. (met and ("ผ่านเกณฑ์: " .. met)
      or "ไม่ผ่านเกณฑ์การเปลี่ยนพิกัดใดเลย เพราะพิกัดไม่เปลี่ยนแปลง")
      .. " การเปลี่ยนตอนย่อมเป็นการเปลี่ยนประเภทและประเภทย่อยด้วย ส่วนจะใช้เกณฑ์ใดนั้นขึ้นอยู่กับกฎเฉพาะรายสินค้าของสินค้านั้น (ภาคผนวก 3A ของ RCEP)"
  end,
}

---------------------------------------------------------------------------
-- 5. จำนวนหลักของแต่ละเกณฑ์ (สร้างจากตารางเดียวกัน)

local words = { [2] = "สอง", [4] = "สี่", [6] = "หก" }
local gaps = {}
for k, l in ipairs(O.LEVELS) do
  gaps[k] = ("%s หมายถึงการเปลี่ยนพิกัดในระดับ {%d|%s} หลัก (%s)"):format(l.code, l.digits, words[l.digits],
                                                                          level_words[l.code])
end

q:blanks{
  id = "digit-levels",
  prompt = "เติมจำนวนหลักของพิกัด HS ที่แต่ละเกณฑ์ใช้เปรียบเทียบ",
  text = "ในกฎเฉพาะรายสินค้า " .. gaps[1] .. " " .. gaps[2] .. " และ " .. gaps[3],
  feedback = FB,
  hint = "ตอน ประเภท ประเภทย่อย: แต่ละระดับเพิ่มขึ้นทีละสองหลัก",
  explain = "ในกฎเฉพาะรายสินค้า (ภาคผนวก 3A ของ RCEP) CC เทียบระดับตอน (2 หลัก) CTH เทียบระดับประเภท (4 หลัก) และ CTSH เทียบระดับประเภทย่อย (6 หลัก) CC เข้มงวดที่สุด ส่วน CTSH ผ่อนปรนที่สุด",
}

---------------------------------------------------------------------------
-- 6. อักษรย่อ

q:text{
  id = "cth-abbreviation",
  prompt = "อักษรย่อของ \"การเปลี่ยนพิกัดในระดับประเภท\" (change of tariff heading) คืออะไร",
  answer = { "CTH", "C.T.H." },
  mistakes = {
    ["CTSH"] = "CTSH คือการเปลี่ยนพิกัดในระดับประเภทย่อย (6 หลัก)",
    ["CC"] = "CC คือการเปลี่ยนพิกัดในระดับตอน (2 หลัก)",
  },
  feedback = FB,
  explain = "CTH คือการเปลี่ยนพิกัดในระดับประเภท เทียบที่ 4 หลัก ATIGA ข้อ 28 ให้เลือกใช้ RVC40 หรือ CTH ตามที่ผู้ส่งออกเลือก",
}

---------------------------------------------------------------------------
-- 7. เกณฑ์ De minimis (ถูกหรือผิด ตัวเลขเปลี่ยนตามผู้เรียน)

q:truefalse{
  id = "de-minimis",
  params = O.draw_de_minimis,
  prompt = function(v)
    return ("ภายใต้ RCEP โคมไฟเพดาน (ราคา FOB %s มูลค่าเป็นดอลลาร์สหรัฐ) ต้องผ่านเกณฑ์ CTH "
      .. "วัตถุดิบที่ไม่มีถิ่นกำเนิดทุกรายการเปลี่ยนประเภท ยกเว้นสองรายการที่อยู่ในประเภทเดียวกับโคมไฟ "
      .. "คือ ชิ้นส่วนตกแต่งมูลค่า %s และโป๊ะแก้วมูลค่า %s "
      .. "ข้อความนี้ถูกหรือผิด: โคมไฟนี้ยังคงได้ถิ่นกำเนิดตามเกณฑ์ De minimis")
      :format(money(v.fob), money(v.a), money(v.b))
  end,
  answer = function(v) return v.qualifies end,
  labels = { "ถูก", "ผิด" },
  attempts = 1,
  feedback = FB,
  hint = "รวมมูลค่าวัตถุดิบที่ไม่มีถิ่นกำเนิดซึ่งไม่เปลี่ยนพิกัดทุกรายการ แล้วเทียบกับร้อยละ 10 ของราคา FOB",
  explain = function(v)
    return ("(%s + %s) / %s x 100 = ร้อยละ %s ของราคา FOB %sเกณฑ์ร้อยละ 10 ตาม RCEP ข้อ 3.7 ข้อความนี้จึง%s "
      .. "ไม่ว่ากรณีใด วัตถุดิบเหล่านี้ยังต้องนับเป็นวัตถุดิบที่ไม่มีถิ่นกำเนิดในการคำนวณ RVC")
      :format(money(v.a), money(v.b), money(v.fob), ("%.2f"):format(v.share),
              v.qualifies and "ไม่เกิน" or "เกิน",
              v.qualifies and "ถูก โคมไฟได้ถิ่นกำเนิด" or "ผิด โคมไฟไม่ได้ถิ่นกำเนิด")
  end,
}

---------------------------------------------------------------------------
-- 8. การดำเนินการเพียงเล็กน้อย (คำตอบคำนวณจากตาราง)

local op_options = {}
for i, op in ipairs(O.OPERATIONS) do
  op_options[i] = op.minimal and { text = op.th, feedback = "เป็นการดำเนินการเพียงเล็กน้อยตาม RCEP ข้อ 3.6 ซึ่งไม่ให้ถิ่นกำเนิดแก่สินค้า" }
                              or op.th
end

q:choice{
  id = "minimal-operations",
  prompt = "การดำเนินการต่อไปนี้ทำในประเทศภาคี RCEP กับวัตถุดิบที่ไม่มีถิ่นกำเนิด ข้อใดไม่ใช่การดำเนินการเพียงเล็กน้อย จึงอาจให้ถิ่นกำเนิดได้หากผ่านกฎเฉพาะรายสินค้า",
  options = op_options,
  answer = O.first_not_minimal(),
  feedback = FB,
  hint = "การดำเนินการเพียงเล็กน้อยไม่ต้องใช้ทักษะพิเศษ หรือเครื่องจักรและโรงงานที่สร้างขึ้นเฉพาะ",
  explain = "RCEP ข้อ 3.6: การเก็บรักษา การบรรจุและการบรรจุใหม่ การตัดอย่างง่าย การติดฉลาก การเจือจางด้วยน้ำ การผสมอย่างง่าย การฆ่าสัตว์ และการทาสีอย่างง่าย ไม่ให้ถิ่นกำเนิดแก่สินค้า ไม่ว่าพิกัดหรือมูลค่าจะเป็นอย่างไร ส่วนการปั่นด้ายและทอผ้าเป็นการผลิตจริง",
}

---------------------------------------------------------------------------
-- 9. วัตถุดิบที่ไม่ทราบถิ่นกำเนิด

q:truefalse{
  id = "unknown-origin",
  prompt = "วัตถุดิบที่ไม่ทราบถิ่นกำเนิดไม่ต้องนับรวมใน VNM เมื่อคำนวณ RVC",
  answer = false,
  labels = { "ถูก", "ผิด" },
  attempts = 1,
  feedback = FB,
  explain = "ผิด ตาม RCEP ข้อ 3.5 วัตถุดิบที่ไม่ทราบถิ่นกำเนิดให้ถือเป็นวัตถุดิบที่ไม่มีถิ่นกำเนิด จึงต้องนับรวมใน VNM",
}

return q
