-- quizzes/valuation-check.lua: a quiz page for the customs valuation lesson.
local q = quiz{
  title = "Check your understanding: customs valuation",
  pass = 0.7,        -- 70% to pass
  attempts = 2,      -- two tries per question
  shuffle = true,    -- questions in a different order for each learner
}

q:choice{
  id = "methods-first",
  prompt = "Which valuation method must be considered first?",
  options = { "Transaction value", "Deductive value", "Computed value", "Fall-back method" },
  answer = 1,
  hint = "Article 1 of the WTO Valuation Agreement.",
  explain = "The transaction value (Article 1) is the primary method; the others apply in sequence only when it cannot be used.",
}

q:multi{
  id = "adjustments",
  prompt = "Which costs are added to the price paid (Article 8)?",
  options = { "Buying commissions", "Royalties paid as a condition of sale",
              "Selling commissions", "Packing costs" },
  answer = { 2, 3, 4 },
  explain = "Selling commissions, packing and royalties are added; buying commissions are not.",
}

q:truefalse{
  id = "related-parties",
  prompt = "A relationship between buyer and seller always rules out the transaction value.",
  answer = false,
  explain = "Only if the relationship influenced the price (Article 1.2).",
}

q:numeric{
  id = "cif-value",
  params = function(rng)
    return { price = rng:int(10, 90) * 1000, freight = rng:int(1, 5) * 500 }
  end,
  prompt = function(v)
    return ("The invoice price is %d USD and freight to the border is %d USD. What is the CIF value, without insurance?")
      :format(v.price, v.freight)
  end,
  answer = function(v) return v.price + v.freight end,
  tolerance = 0.5,
  unit = "USD",
  weight = 2,
}

q:text{
  id = "cth",
  prompt = "What is the usual abbreviation for 'change of tariff heading'?",
  answer = { "CTH", "change of tariff heading" },
  mistakes = { ["CTSH"] = "That is a change of tariff SUBheading (6 digits)." },
}

q:match{
  id = "levels",
  prompt = "Match each rule to the digits it changes.",
  pairs = { { "CC", "Chapter (2 digits)" }, { "CTH", "Heading (4 digits)" },
            { "CTSH", "Subheading (6 digits)" } },
  distractors = { "Tariff line (8 digits)" },
}

q:order{
  id = "sequence",
  prompt = "Put the valuation methods in the order they are applied.",
  items = { "Article 1", "Article 2", "Article 3", "Article 5", "Article 6", "Article 7" },
}

q:blanks{
  id = "suspension",
  text = "Suspected goods are held for {10|ten} working days, which may be extended by {10|ten}.",
}

q:hotspot{
  id = "label",
  prompt = "Click the sign that the label is counterfeit.",
  image = "images/label.svg",
  regions = {
    { x = 0.10, y = 0.05, w = 0.50, h = 0.15, correct = true, label = "misspelt brand name" },
    { x = 0.10, y = 0.70, w = 0.30, h = 0.20, label = "barcode",
      feedback = "The barcode is valid; look at the brand name." },
  },
}

q:scenario{
  id = "inspection",
  prompt = "A truck arrives with an invoice that looks altered.",
  start = "arrive",
  steps = {
    arrive = { prompt = "What do you do first?", options = {
      { text = "Ask for the original invoice", next = "original", correct = true },
      { text = "Release the goods", next = "released",
        feedback = "Releasing first loses the chance to check." },
    } },
    original = { prompt = "The original shows a higher price. Now?", options = {
      { text = "Assess on the higher price and record the case", next = "done", correct = true },
      { text = "Keep the lower price", next = "released" },
    } },
    done = { text = "Well handled.", score = 1 },
    released = { text = "The goods left under-valued.", score = 0 },
  },
}

q:on("answered", function(ev)
  if ev.id == "cif-value" and not ev.correct then
    return "Remember: CIF = cost + insurance + freight."
  end
end)

return q
