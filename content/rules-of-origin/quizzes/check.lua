-- quizzes/check.lua: the quiz page that ends the rules-of-origin lesson.
-- The numbers and answers come from quizzes/origin.lua (shared, unchanged,
-- with the Thai lesson); this file holds only the English wording. Keep the
-- question ids in step with the Thai quiz.
local O = require("quizzes/origin")
local money, pct = O.money, O.pct

local q = quiz{
  title = "Check your understanding: rules of origin",
  intro = "Nine questions on RVC, tariff-change rules, cumulation, de minimis and minimal operations. Amounts change for each learner, so have a calculator ready.",
  pass = 0.7,
  attempts = 2,
  penalty = 0.25,
  shuffle = true,
}

---------------------------------------------------------------------------
-- 1. RVC, build-down (worked example R1 with new numbers).

q:numeric{
  id = "rvc-build-down",
  weight = 2,
  params = O.draw_build_down,
  prompt = function(v)
    return ("Under ATIGA, a factory makes an electric fan with an FOB value of %s (amounts in USD). "
      .. "Its materials are: an imported motor, %s; imported plastic resin, %s; parts of unknown origin, %s; "
      .. "and originating switches bought from a local producer, %s. What is the RVC by the build-down (indirect) "
      .. "method? Give the percentage to one decimal place.")
      :format(money(v.fob), money(v.motor), money(v.resin), money(v.unknown), money(v.originating))
  end,
  answer = function(v) return O.round1(v.rvc) end,
  tolerance = 0.1,
  unit = "%",
  hint = "RVC = (FOB - VNM) / FOB x 100. Which materials belong in VNM?",
  explain = function(v)
    return ("VNM = %s + %s + %s = %s: materials of unknown origin count as non-originating, and the originating "
      .. "switches stay out. RVC = (%s - %s) / %s x 100 = %s%% (ATIGA Art. 29, RCEP Art. 3.5). %s")
      :format(money(v.motor), money(v.resin), money(v.unknown), money(v.vnm), money(v.fob), money(v.vnm),
              money(v.fob), pct(v.rvc),
              O.meets_rvc(v.fob, v.vnm) and "That is at least 40%: RVC40 is met."
                                         or "That is below 40%: RVC40 is not met.")
  end,
}

---------------------------------------------------------------------------
-- 2. RVC, build-up (worked example R2 with new numbers).

q:numeric{
  id = "rvc-build-up",
  weight = 2,
  params = O.draw_build_up,
  prompt = function(v)
    return ("Under RCEP, a bicycle-parts maker sells a product at FOB %s (amounts in USD, per unit). "
      .. "Its costs: originating materials (VOM) %s; direct labour %s; direct overhead %s; profit %s; "
      .. "other costs %s. The non-originating materials make up the remaining %s. What is the RVC by the "
      .. "build-up (direct) method? Give the percentage to one decimal place.")
      :format(money(v.fob), money(v.vom), money(v.labour), money(v.overhead), money(v.profit),
              money(v.other), money(v.vnm))
  end,
  answer = function(v) return O.round1(v.rvc) end,
  tolerance = 0.1,
  unit = "%",
  hint = "RVC = (VOM + direct labour + direct overhead + profit + other costs) / FOB x 100.",
  explain = function(v)
    local up = v.vom + v.labour + v.overhead + v.profit + v.other
    return ("(%s + %s + %s + %s + %s) / %s x 100 = %s / %s x 100 = %s%% (RCEP Art. 3.5). The build-down method "
      .. "gives the same: (%s - %s) / %s x 100. The denominator is FOB, not the customs value.")
      :format(money(v.vom), money(v.labour), money(v.overhead), money(v.profit), money(v.other), money(v.fob),
              money(up), money(v.fob), pct(v.rvc), money(v.fob), money(v.vnm), money(v.fob))
  end,
}

---------------------------------------------------------------------------
-- 3. Cumulation and RVC40 (worked example R3 with new numbers).

q:choice{
  id = "rvc-cumulation",
  params = O.draw_cumulation,
  prompt = function(v)
    return ("Under RCEP, a manufacturer makes control panels with an FOB value of %s (amounts in USD). "
      .. "Its non-originating materials (VNM) are worth %s in all, including inputs worth %s that the supplier can "
      .. "prove are originating in another RCEP Party. The product-specific rule is RVC40. Which statement is correct?")
      :format(money(v.fob), money(v.vnm), money(v.cum))
  end,
  options = {
    "It meets RVC40 even without cumulation",
    "It fails RVC40 without cumulation, but meets it with cumulation",
    "It fails RVC40 even with cumulation",
  },
  shuffle = false,
  answer = function(v) return v.outcome end,
  hint = "Work out RVC = (FOB - VNM) / FOB x 100 twice: with all the inputs in VNM, then with the proven originating inputs taken out.",
  explain = function(v)
    return ("Without cumulation: (%s - %s) / %s x 100 = %s%%. With cumulation (RCEP Art. 3.4) the inputs proven "
      .. "originating in another Party count as originating, so VNM falls by %s to %s: (%s - %s) / %s x 100 = %s%%. "
      .. "RVC40 needs at least 40%%.")
      :format(money(v.fob), money(v.vnm), money(v.fob), pct(v.rvc0), money(v.cum), money(v.vnm - v.cum),
              money(v.fob), money(v.vnm - v.cum), money(v.fob), pct(v.rvc1))
  end,
}

---------------------------------------------------------------------------
-- 4. Which tariff-change rules a change of HS code satisfies.

local level_names = { CC = "CC (change of chapter)", CTH = "CTH (change of tariff heading)",
                      CTSH = "CTSH (change of tariff subheading)" }
local level_options = {}
for k, l in ipairs(O.LEVELS) do level_options[k] = level_names[l.code] end
level_options[#O.LEVELS + 1] = "None of these rules"

q:multi{
  id = "ctc-rules",
  params = O.draw_ctc,
  prompt = function(v)
    local c = O.CTC_CASES[v.case]
    return ("A producer in an RCEP Party makes %s (HS %s) from one non-originating input, %s (HS %s). "
      .. "All its other materials are originating. Which tariff-change rules does this production satisfy?")
      :format(c.en[1], v.good, c.en[2], v.input)
  end,
  options = level_options,
  shuffle = false,
  answer = function(v) return O.ctc_answer(v.good, v.input) end,
  hint = "Compare the two codes: the first 2 digits are the chapter, the first 4 the heading, all 6 the subheading.",
  explain = function(v)
    local t = {}
    for k, l in ipairs(O.LEVELS) do
      local a, b = O.part(v.good, l.digits), O.part(v.input, l.digits)
      t[k] = ("%s compares %d digits: %s and %s, %s"):format(l.code, l.digits, b, a,
                                                             a ~= b and "changed" or "not changed")
    end
    local met = O.ctc_met_list(v.good, v.input)
    return table.concat(t, "; ") .. ". " .. (met and ("Satisfied: " .. met .. ".")
      or "No tariff-change rule is satisfied: the code does not change at all.")
      .. " A change of chapter is also a change of heading and of subheading. Which rule applies is set by the good's product-specific rule (RCEP Annex 3A)."
  end,
}

---------------------------------------------------------------------------
-- 5. Digit levels, built from the same table.

local words = { [2] = "two", [4] = "four", [6] = "six" }
local level_meaning = { CC = "chapter", CTH = "heading", CTSH = "subheading" }
local gaps = {}
for k, l in ipairs(O.LEVELS) do
  gaps[k] = ("%s means a change at the {%d|%s}-digit level (%s)"):format(l.code, l.digits, words[l.digits],
                                                                        level_meaning[l.code])
end

q:blanks{
  id = "digit-levels",
  prompt = "Fill in the number of HS digits each rule compares.",
  text = "In a product-specific rule, " .. gaps[1] .. ", " .. gaps[2] .. " and " .. gaps[3] .. ".",
  hint = "Chapter, heading, subheading: each level adds two digits.",
  explain = "In the product-specific rules (RCEP Annex 3A), CC compares the chapter (2 digits), CTH the heading (4 digits) and CTSH the subheading (6 digits). CC is the strictest, CTSH the easiest.",
}

---------------------------------------------------------------------------
-- 6. The abbreviation.

q:text{
  id = "cth-abbreviation",
  prompt = "What is the usual abbreviation for 'change of tariff heading'?",
  answer = { "CTH", "C.T.H." },
  mistakes = {
    ["CTSH"] = "CTSH is a change of tariff subheading (6 digits).",
    ["CC"] = "CC is a change of chapter (2 digits).",
  },
  explain = "CTH: change of tariff heading, compared at 4 digits. ATIGA Art. 28 allows RVC40 or CTH at the exporter's choice.",
}

---------------------------------------------------------------------------
-- 7. De minimis (parameterised true/false).

q:truefalse{
  id = "de-minimis",
  params = O.draw_de_minimis,
  prompt = function(v)
    return ("Under RCEP, a ceiling light (FOB %s, amounts in USD) must meet CTH. Every non-originating input changes "
      .. "heading except two, both in the same heading as the light: a decorative part worth %s and a glass shade worth %s. "
      .. "True or false: the light still qualifies under the de minimis rule.")
      :format(money(v.fob), money(v.a), money(v.b))
  end,
  answer = function(v) return v.qualifies end,
  attempts = 1,
  hint = "Add up all the non-originating inputs that fail the change and compare them with 10% of FOB.",
  explain = function(v)
    return ("(%s + %s) / %s x 100 = %s%% of FOB, %s the 10%% limit of RCEP Art. 3.7: %s. "
      .. "Either way, these inputs still count as non-originating in any RVC calculation.")
      :format(money(v.a), money(v.b), money(v.fob), ("%.2f"):format(v.share),
              v.qualifies and "within" or "over",
              v.qualifies and "true, the light qualifies" or "false, the light does not qualify")
  end,
}

---------------------------------------------------------------------------
-- 8. Minimal operations (the answer is computed from the table).

local op_options = {}
for i, op in ipairs(O.OPERATIONS) do
  op_options[i] = op.minimal and { text = op.en, feedback = "This is a minimal operation under RCEP Art. 3.6: it never confers origin." }
                              or op.en
end

q:choice{
  id = "minimal-operations",
  prompt = "Each operation is carried out in an RCEP Party on non-originating materials. Which one is NOT a minimal operation, so that it can confer origin if the product-specific rule is met?",
  options = op_options,
  answer = O.first_not_minimal(),
  hint = "Minimal operations need no special skill, machines or plant built for the purpose.",
  explain = "RCEP Art. 3.6: preservation, packing and repacking, simple cutting, labelling, dilution with water, simple mixing, slaughter and simple painting never confer origin, whatever the classification or value. Spinning and weaving is real manufacturing.",
}

---------------------------------------------------------------------------
-- 9. Materials of unknown origin.

q:truefalse{
  id = "unknown-origin",
  prompt = "Materials whose origin cannot be determined may be left out of VNM when calculating RVC.",
  answer = false,
  attempts = 1,
  explain = "False. Under RCEP Art. 3.5, materials of undetermined origin count as non-originating, so they are part of VNM.",
}

return q
