-- quizzes/check.lua: the quiz page that ends the IPR border-measures lesson.
-- Facts: TRIPS Agreement Arts 51-60, as taught on pages 01 to 10 of this lesson.

local WORKING_DAYS = 10 -- Art. 55: the period after notice to the applicant
local EXTENSION = 10    -- Art. 55: a further period, in appropriate cases

local q = quiz{
  title = "Check your understanding: IPR at the border",
  intro = "Eight questions, including two cases you work through step by step. A case is played once, so read each step carefully.",
  pass = 0.7,
  attempts = 2,
  penalty = 0.25,
  shuffle = true,
}

---------------------------------------------------------------------------
-- 1. The label check. Regions are in pixels of images/label-suspect.svg
--    (640 x 420, the same as its viewBox). The tell's box is the one given in
--    the SVG's comment: x 460..584, y 312..382.

q:hotspot{
  id = "label-tell",
  prompt = "This charger box was found in a shipment declared as \"electrical accessories\". Compare it with the genuine label from the lesson and click the sign that it is counterfeit.",
  image = "images/label-suspect.svg",
  regions = {
    { x = 460, y = 312, w = 124, h = 70, correct = true,
      label = "Security hologram missing: a flat grey sticker instead",
      feedback = "Right: the rainbow security hologram is replaced by a flat grey sticker, stuck on crooked and peeling." },
    { x = 56, y = 36, w = 56, h = 56, label = "Brand logo",
      feedback = "The logo matches the genuine label. Look for a security feature that is hard to copy." },
    { x = 120, y = 44, w = 160, h = 48, label = "Brand name",
      feedback = "The brand name is spelt and coloured as on the genuine label." },
    { x = 64, y = 124, w = 212, h = 172, label = "Product picture",
      feedback = "The product picture is the same as on the genuine label." },
    { x = 306, y = 120, w = 258, h = 140, label = "Specification lines",
      feedback = "The specification lines match the genuine label." },
    { x = 56, y = 314, w = 164, h = 64, label = "Barcode",
      feedback = "The barcode is copied exactly; counterfeiters copy what is easy to print." },
    { x = 266, y = 318, w = 148, h = 60, label = "Safety and recycling marks",
      feedback = "The safety marks are the same as on the genuine label." },
  },
  hint = "Counterfeiters copy what is easy to print and fail on what is hard to make.",
  explain = "The security hologram is missing: in its place is a flat grey sticker with no rainbow colour or shine, stuck on crooked. One tell is a reason to look further, not proof: record it, suspend release where your law allows (under an application, Art. 51, or ex officio, Art. 58) and ask the right holder to confirm.",
}

---------------------------------------------------------------------------
-- 2. The working-day timeline (parameterised).

local function last_day(v)
  return v.notice + WORKING_DAYS + (v.extended and EXTENSION or 0)
end

q:numeric{
  id = "deadline",
  params = function(rng)
    return { notice = rng:int(3, 180), extended = rng:chance(0.5) }
  end,
  prompt = function(v)
    return ("Customs numbers the working days in its case file (weekends and public holidays get no number). "
      .. "Release of suspected counterfeit goods was suspended, and notice of the suspension was served on the applicant "
      .. "on working day %d. %s By the end of which working day (give its number) must customs be informed that "
      .. "proceedings on the merits have been initiated, or provisional measures taken, if the goods are not to be released?")
      :format(v.notice, v.extended
        and "Customs found it an appropriate case and extended the period."
        or "The period was not extended.")
  end,
  answer = last_day,
  hint = "Count from the notice served on the applicant, not from the day of detention.",
  explain = function(v)
    if v.extended then
      return ("Working day %d + %d working days (Art. 55) + an extension of %d = working day %d.")
        :format(v.notice, WORKING_DAYS, EXTENSION, last_day(v))
    end
    return ("Working day %d + %d working days (Art. 55) = working day %d. With an extension, in appropriate cases, "
      .. "another %d working days would be added."):format(v.notice, WORKING_DAYS, last_day(v), EXTENSION)
  end,
}

---------------------------------------------------------------------------
-- 3. A trademark case, step by step (counterfeit handbags).

q:scenario{
  id = "handbags-case",
  weight = 2,
  prompt = "A trademark case: 2,000 handbags bearing a registered brand arrive at Tanjung Pelepas. The brand owner's application for action has been accepted.",
  start = "suspend",
  steps = {
    suspend = {
      prompt = "Customs suspends release of the handbags under the accepted application. Who must be told?",
      options = {
        { text = "Promptly notify both the importer and the applicant", next = "extension", correct = true,
          feedback = "Yes: Art. 54 requires prompt notice to both." },
        { text = "Only the applicant; the importer hears when the case is over", next = "no-notice",
          feedback = "Art. 54 requires prompt notice to the importer as well." },
        { text = "Nobody, until the brand owner has inspected the bags", next = "no-notice",
          feedback = "Notice comes first (Art. 54); inspection (Art. 57) comes later." },
      },
    },
    extension = {
      prompt = ("The applicant is served notice on a Monday. Eight working days later it asks for more time, and "
        .. "customs agrees that this is an appropriate case. How long may the handbags now be held without "
        .. "proceedings being reported?"),
      options = {
        { text = ("Up to %d working days after the notice in all"):format(WORKING_DAYS + EXTENSION),
          next = "proceedings", correct = true,
          feedback = ("Yes: %d working days, extended by another %d (Art. 55)."):format(WORKING_DAYS, EXTENSION) },
        { text = "Until the brand owner decides, however long that takes", next = "held-too-long",
          feedback = "Art. 55 sets a limit so that goods are not held indefinitely on suspicion." },
        { text = ("%d working days after the notice, with no extension possible"):format(WORKING_DAYS),
          next = "held-too-long",
          feedback = ("In appropriate cases the period may be extended by another %d working days."):format(EXTENSION) },
      },
    },
    proceedings = {
      prompt = ("On working day %d after the notice, the brand owner tells customs it has started proceedings on the "
        .. "merits. What happens to the handbags?"):format(WORKING_DAYS + 5),
      options = {
        { text = "They stay suspended while the case is decided", next = "disposal", correct = true,
          feedback = "Yes: customs was informed within the extended period (Art. 55)." },
        { text = ("They are released, because the first %d working days have passed"):format(WORKING_DAYS),
          next = "released-wrongly",
          feedback = "The period was extended, and proceedings were reported within it." },
      },
    },
    disposal = {
      prompt = "The court finds the handbags are counterfeit trademark goods. The importer asks to send them back to the supplier. What do you do?",
      options = {
        { text = "Refuse re-export in an unaltered state; have them destroyed or disposed of outside the channels of commerce",
          next = "closed", correct = true, feedback = "Yes: Art. 59." },
        { text = "Allow re-export once the logos are cut off", next = "re-exported",
          feedback = "Simple removal of the trademark is not enough (Art. 59)." },
        { text = "Allow re-export to the supplier as they are", next = "re-exported",
          feedback = "Counterfeit trademark goods may not be re-exported in an unaltered state, except in exceptional circumstances (Art. 59)." },
      },
    },
    closed = { text = "Case closed correctly: notice to both sides, the extended time limit respected, the goods held during the proceedings and kept out of the channels of commerce.", score = 1 },
    ["no-notice"] = { text = "The case goes wrong at the start: the importer and the applicant must both be promptly notified (Art. 54).", score = 0 },
    ["held-too-long"] = { text = ("The goods are held on the wrong time limit. Art. 55: %d working days from notice to the applicant, extendable by %d in appropriate cases."):format(WORKING_DAYS, EXTENSION) },
    ["released-wrongly"] = { text = "The handbags were released although proceedings were reported within the extended period (Art. 55)." },
    ["re-exported"] = { text = "The fakes go back into trade elsewhere. Art. 59: no re-export in an unaltered state, and removing the mark is not enough." },
  },
  explain = ("Art. 54: prompt notice to the importer and the applicant. Art. 55: release unless proceedings or provisional "
    .. "measures are reported within %d working days of the notice to the applicant, extendable by %d. Art. 59: "
    .. "counterfeit goods are destroyed or disposed of outside the channels of commerce, not re-exported unaltered.")
    :format(WORKING_DAYS, EXTENSION),
}

---------------------------------------------------------------------------
-- 4. A patent case, step by step (water pumps).

q:scenario{
  id = "pumps-case",
  weight = 2,
  prompt = "A patent case: at the request of a patent owner, customs suspends release of 400 water pumps. The importer and the patent owner are promptly notified.",
  start = "silence",
  steps = {
    silence = {
      prompt = ("First shipment: %d working days pass after the patent owner was served notice. It has not asked "
        .. "for an extension and has told customs of no proceedings or provisional measures. What happens?"):format(WORKING_DAYS),
      options = {
        { text = "Release the pumps, provided all other conditions for importation are met", next = "court",
          correct = true, feedback = "Yes: Art. 55." },
        { text = "Keep them until the patent owner replies", next = "held",
          feedback = "Goods cannot be held indefinitely on suspicion (Art. 55)." },
        { text = "Destroy them", next = "held",
          feedback = "There is no finding of infringement; Art. 55 requires release." },
      },
    },
    court = {
      prompt = ("Second shipment, same patent: this time the patent owner starts a court case within the %d working "
        .. "days, but no court grants provisional relief. After the period, the importer offers a security. What can "
        .. "the importer obtain?"):format(WORKING_DAYS),
      options = {
        { text = "Release of the pumps against a security sufficient to protect the right holder", next = "scope",
          correct = true, feedback = "Yes: Art. 53.2." },
        { text = "Nothing: the pumps stay suspended until the court decides", next = "stuck",
          feedback = "For patents, Art. 53.2 lets the importer obtain release by posting security." },
        { text = "Release without any security", next = "stuck",
          feedback = "Release under Art. 53.2 is on the posting of a security." },
      },
    },
    scope = {
      prompt = "Would the importer have the same right if the goods were counterfeit trademark goods?",
      options = {
        { text = "No: that rule covers industrial designs, patents, layout-designs and undisclosed information only",
          next = "done", correct = true, feedback = "Yes: Art. 53.2 does not cover counterfeit trademark or pirated copyright goods." },
        { text = "Yes: it applies to every IP right", next = "wrong-scope",
          feedback = "Art. 53.2 lists industrial designs, patents, layout-designs and undisclosed information." },
      },
    },
    done = { text = "Well handled: release when the period passes in silence, and release against security in a patent case without provisional relief.", score = 1 },
    held = { text = ("Without proceedings or provisional measures reported within %d working days, the goods are released (Art. 55)."):format(WORKING_DAYS), score = 0 },
    stuck = { text = "Art. 53.2: in a patent case where the Art. 55 period passes without provisional relief, the importer may obtain release by posting security." },
    ["wrong-scope"] = { text = "Art. 53.2 is limited to industrial designs, patents, layout-designs and undisclosed information." },
  },
  explain = "Art. 55: release if no proceedings or provisional measures are reported in time. Art. 53.2: for industrial designs, patents, layout-designs or undisclosed information, once the Art. 55 period has passed without provisional relief, the owner, importer or consignee may obtain release by posting security.",
}

---------------------------------------------------------------------------
-- 5. Ex officio action (Art. 58).

q:choice{
  id = "ex-officio",
  prompt = "Where national law allows ex officio action, an officer suspends fake phone chargers of a brand that has no application on file. When are officials exempt from liability for such action under Art. 58?",
  options = {
    "Only for actions taken in good faith",
    { text = "Always, because ex officio action is required by TRIPS",
      feedback = "Ex officio action is optional under TRIPS, and the exemption covers good-faith actions only." },
    { text = "Only if the right holder later lodges an application",
      feedback = "Art. 58 does not make the exemption depend on an application." },
    { text = "Never: officials are liable for every suspension",
      feedback = "Art. 58 exempts officials for actions taken in good faith." },
  },
  answer = 1,
  hint = "Keep notes of what you saw and why you acted.",
  explain = "Art. 58 (optional for Members): authorities acting on their own initiative may seek information from the right holder, must promptly notify the importer and the right holder, and officials are exempt from liability only for actions taken in good faith.",
}

---------------------------------------------------------------------------
-- 6. Disposal of confirmed counterfeits (Art. 59).

q:choice{
  id = "tshirts",
  prompt = "Customs confirms that 12,000 T-shirts carry a counterfeit sports logo. The importer asks to send them back to the supplier. What does Art. 59 require?",
  options = {
    { text = "Allow re-export, since the goods leave the country",
      feedback = "Re-exporting fakes in an unaltered state only moves them to another market." },
    { text = "Release them once the fake logos have been cut off",
      feedback = "Simple removal of the trademark is not enough, except in exceptional cases." },
    "No re-export in an unaltered state: destroy them or dispose of them outside the channels of commerce",
    { text = "Return them to the importer for local sale at a discount",
      feedback = "Infringing goods are kept out of the channels of commerce." },
  },
  answer = 3,
  explain = "Art. 59: the authorities may order destruction or disposal of infringing goods following the principles of Art. 46. Counterfeit trademark goods may not be re-exported in an unaltered state, except in exceptional circumstances, and simply removing the mark is not enough.",
}

---------------------------------------------------------------------------
-- 7. Travellers (Art. 60).

q:choice{
  id = "traveller",
  prompt = "A traveller arriving at Suvarnabhumi Airport has two fake watches in her luggage, for herself and her husband. What does TRIPS allow?",
  options = {
    { text = "Customs must always seize them", feedback = "Art. 60 lets Members exclude such goods." },
    "National law may exclude them from border measures as a small, non-commercial quantity (Art. 60)",
    { text = "The watches become legal goods once declared", feedback = "The exception does not make fakes legal; it only means border measures need not be applied." },
    { text = "The exception applies to any quantity carried in personal luggage",
      feedback = "Only small quantities of a non-commercial nature: 40 identical watches would not qualify." },
  },
  answer = 2,
  explain = "Art. 60 (optional): Members may exclude small quantities of goods of a non-commercial nature in travellers' personal luggage or sent in small consignments. National law decides whether, and within what limits.",
}

---------------------------------------------------------------------------
-- 8. Scope of the obligation (Art. 51).

q:truefalse{
  id = "transit",
  prompt = "TRIPS obliges every Member to apply the border measures to goods in transit.",
  answer = false,
  attempts = 1,
  explain = "False. Art. 51 requires the procedure for imports of counterfeit trademark and pirated copyright goods. Extending it to other rights or to exports is optional, and there is no obligation for goods in transit or for parallel imports.",
}

return q
