-- quizzes/check.lua: the quiz page that ends the customs valuation lesson.
-- Facts: WTO Valuation Agreement, as taught on pages 02 to 10 of this lesson.
-- Every answer is computed from the values drawn for the learner (params), never
-- typed in; every drawn number is stated in the prompt.

-- 48500 -> "48,500" (the lesson writes amounts this way).
local function money(n)
  local s = tostring(math.tointeger(n) or n)
  local k
  repeat
    s, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2")
  until k == 0
  return s
end

-- Sums a list of numbers.
local function sum(list)
  local t = 0
  for _, x in ipairs(list) do t = t + x end
  return t
end

local q = quiz{
  title = "Check your understanding: customs valuation",
  intro = "Ten questions on the six methods, Article 8 additions, related parties and the CIF and FOB bases. Amounts change for each learner, so have a calculator ready.",
  pass = 0.7,
  attempts = 2,
  penalty = 0.25,
  shuffle = true,
}

---------------------------------------------------------------------------
-- 1. Customs value on the CIF basis (worked example V1, with new numbers).

local function cif_total(v)
  return sum{ v.price, v.selling, v.packing, v.freight, v.insurance }
end

q:numeric{
  id = "cif-value",
  weight = 2,
  params = function(rng)
    return {
      price = rng:int(40, 160) * 500,   -- 20,000 .. 80,000
      selling = rng:int(4, 30) * 100,   -- 400 .. 3,000
      buying = rng:int(4, 20) * 100,    -- 400 .. 2,000
      packing = rng:int(2, 12) * 50,    -- 100 .. 600
      freight = rng:int(8, 50) * 100,   -- 800 .. 5,000
      insurance = rng:int(2, 16) * 50,  -- 100 .. 800
      inland = rng:int(3, 15) * 100,    -- 300 .. 1,500
      duty = rng:int(10, 60) * 100,     -- 1,000 .. 6,000
    }
  end,
  prompt = function(v)
    return ("A country values imports on the CIF basis. For one shipment the buyer bears these costs, "
      .. "each shown separately from the price (amounts in USD): price actually paid for the goods %s; "
      .. "selling commission to the seller's agent %s; buying commission to its own buying agent abroad %s; "
      .. "packing, labour and materials %s; freight to the port of importation %s; "
      .. "insurance to the port of importation %s; inland freight from the port to its warehouse after importation %s; "
      .. "import duty %s. What is the customs value?")
      :format(money(v.price), money(v.selling), money(v.buying), money(v.packing), money(v.freight),
              money(v.insurance), money(v.inland), money(v.duty))
  end,
  answer = cif_total,
  tolerance = 0.5,
  unit = "USD",
  hint = "Start from the price. Add what Art. 8.1 lists; on the CIF basis add freight and insurance to the port of importation (Art. 8.2). Leave out the rest.",
  explain = function(v)
    return ("%s price + %s selling commission (Art. 8.1(a)(i)) + %s packing (Art. 8.1(a)(iii)) + %s freight + %s insurance "
      .. "(CIF basis, Art. 8.2) = %s USD. Not added: the buying commission of %s (Art. 8.1(a)(i) excepts buying commissions), "
      .. "inland freight after importation of %s and import duty of %s (Interpretative Note to Art. 1).")
      :format(money(v.price), money(v.selling), money(v.packing), money(v.freight), money(v.insurance),
              money(cif_total(v)), money(v.buying), money(v.inland), money(v.duty))
  end,
}

---------------------------------------------------------------------------
-- 2. An assist apportioned over anticipated production, plus a royalty
--    (worked example V2, with new numbers).

local function assist_parts(v)
  local price = v.units * v.unit_price
  local per_unit = v.mould / v.expected
  local assist = per_unit * v.units
  local royalty = price * v.royalty_pct / 100
  return price, per_unit, assist, royalty
end

local function assist_total(v)
  local price, _, assist, royalty = assist_parts(v)
  return price + assist + royalty + v.freight + v.insurance
end

q:numeric{
  id = "assist-value",
  weight = 2,
  params = function(rng)
    local expected = rng:int(4, 20) * 1000          -- 4,000 .. 20,000 units
    local mould = expected * rng:int(1, 5)          -- 1 .. 5 per unit
    local units = rng:int(5, math.min(40, expected // 100)) * 100
    return {
      expected = expected,
      mould = mould,
      units = units,
      unit_price = rng:int(8, 60),
      royalty_pct = rng:int(2, 8),
      freight = rng:int(5, 40) * 100,
      insurance = rng:int(2, 10) * 20,
    }
  end,
  prompt = function(v)
    return ("A country uses the CIF basis (amounts in USD). The buyer orders %s units at %s each. "
      .. "It supplies the foreign producer, free of charge, with a mould worth %s that is expected to produce %s units in all, "
      .. "and apportions the mould's value over that anticipated production. As a condition of sale, the buyer must also pay "
      .. "a royalty of %s%% of the price. Freight to the port of importation is %s and insurance %s. "
      .. "What is the customs value of this shipment?")
      :format(money(v.units), money(v.unit_price), money(v.mould), money(v.expected), v.royalty_pct,
              money(v.freight), money(v.insurance))
  end,
  answer = assist_total,
  tolerance = 0.5,
  unit = "USD",
  hint = "Share the mould over the expected production: value / expected units = an amount per unit, times the units in this shipment.",
  explain = function(v)
    local price, per_unit, assist, royalty = assist_parts(v)
    return ("Price %s x %s = %s. Assist (Art. 8.1(b)): %s / %s = %s per unit x %s units = %s. "
      .. "Royalty as a condition of sale (Art. 8.1(c)): %s%% x %s = %s. Freight %s and insurance %s (CIF, Art. 8.2). "
      .. "Customs value = %s USD. Charging the whole mould to this shipment would also be lawful, but the mould's value "
      .. "must be declared exactly once over the shipments.")
      :format(money(v.units), money(v.unit_price), money(price), money(v.mould), money(v.expected),
              money(per_unit), money(v.units), money(assist), v.royalty_pct, money(price), money(royalty),
              money(v.freight), money(v.insurance), money(assist_total(v)))
  end,
}

---------------------------------------------------------------------------
-- 3. The FOB basis, from a CIF invoice (worked example V3, with new numbers).

local function fob_total(v)
  return v.invoice - v.installation + v.royalty - v.freight - v.insurance
end

q:numeric{
  id = "fob-value",
  weight = 2,
  params = function(rng)
    return {
      invoice = rng:int(60, 300) * 500,     -- 30,000 .. 150,000
      freight = rng:int(10, 60) * 100,      -- 1,000 .. 6,000
      insurance = rng:int(2, 20) * 50,      -- 100 .. 1,000
      installation = rng:int(5, 50) * 100,  -- 500 .. 5,000
      royalty = rng:int(10, 80) * 100,      -- 1,000 .. 8,000
      interest = rng:int(4, 30) * 100,      -- 400 .. 3,000
    }
  end,
  prompt = function(v)
    return ("A country uses the FOB basis (amounts in USD). A machine is invoiced at a CIF total of %s. "
      .. "Within that total the invoice shows separately: freight to the port of importation %s, insurance %s, "
      .. "and installation at the buyer's plant after importation %s. Separately, the buyer pays the licensor "
      .. "a royalty of %s as a condition of sale, and interest of %s under a written financing agreement. "
      .. "What is the customs value?")
      :format(money(v.invoice), money(v.freight), money(v.insurance), money(v.installation),
              money(v.royalty), money(v.interest))
  end,
  answer = fob_total,
  tolerance = 0.5,
  unit = "USD",
  hint = "Take out what is not part of the value, add what Art. 8.1 requires, then remove transport and insurance to the port because the basis is FOB.",
  explain = function(v)
    return ("%s invoice - %s installation after importation (Interpretative Note to Art. 1) + %s royalty "
      .. "(Art. 8.1(c), a condition of sale) - %s freight - %s insurance (FOB basis, Art. 8.2) = %s USD. "
      .. "The interest of %s under a written financing agreement is not added.")
      :format(money(v.invoice), money(v.installation), money(v.royalty), money(v.freight),
              money(v.insurance), money(fob_total(v)), money(v.interest))
  end,
}

---------------------------------------------------------------------------
-- 4. The six methods in legal order.

local METHODS = {
  { art = 1, text = "Transaction value of the goods being valued" },
  { art = 2, text = "Transaction value of identical goods" },
  { art = 3, text = "Transaction value of similar goods" },
  { art = 5, text = "Deductive value" },
  { art = 6, text = "Computed value" },
  { art = 7, text = "Fall-back: reasonable means consistent with the Agreement" },
}

local function methods_in_order()
  local list = {}
  for i, m in ipairs(METHODS) do list[i] = m end
  table.sort(list, function(a, b) return a.art < b.art end)
  local items, arts = {}, {}
  for i, m in ipairs(list) do
    items[i] = m.text
    arts[i] = "Art. " .. m.art
  end
  return items, table.concat(arts, ", ")
end

local method_items, method_arts = methods_in_order()

q:order{
  id = "methods-order",
  prompt = "Put the valuation methods in the order in which they must be tried (no Article 4 request).",
  items = method_items,
  hint = "Identical goods come before similar goods, and the fall-back comes last.",
  explain = ("The order is %s. Move on only when the current method cannot be used. Under Art. 4 the importer "
    .. "may ask to reverse deductive value (Art. 5) and computed value (Art. 6)."):format(method_arts),
}

---------------------------------------------------------------------------
-- 5. Which costs are added under Art. 8.1 (the answer is built from the table).

local COSTS = {
  { text = "A selling commission paid by the buyer to the seller's agent", added = true,
    short = "the selling commission (Art. 8.1(a)(i))",
    why = "Art. 8.1(a)(i): commissions are added, except buying commissions." },
  { text = "A buying commission paid to the importer's own agent abroad", added = false,
    short = "the buying commission (excepted by Art. 8.1(a)(i))",
    why = "Art. 8.1(a)(i) excepts buying commissions." },
  { text = "Export packing, labour and materials", added = true,
    short = "packing (Art. 8.1(a)(iii))",
    why = "Art. 8.1(a)(iii): packing, labour and materials, is added." },
  { text = "A mould supplied free of charge to the producer", added = true,
    short = "the mould, an assist (Art. 8.1(b))",
    why = "Art. 8.1(b): tools, dies and moulds supplied free are assists." },
  { text = "A royalty the buyer must pay as a condition of sale", added = true,
    short = "the royalty paid as a condition of sale (Art. 8.1(c))",
    why = "Art. 8.1(c): royalties related to the goods and paid as a condition of sale are added." },
  { text = "Design work done in the importing country", added = false,
    short = "design work done in the importing country (Art. 8.1(b) covers only work undertaken outside it)",
    why = "Art. 8.1(b): design work is an assist only if undertaken outside the importing country." },
  { text = "Inland transport after importation, shown separately", added = false,
    short = "transport after importation (Interpretative Note to Art. 1)",
    why = "Interpretative Note to Art. 1: transport after importation is not part of the value." },
  { text = "A fee only for the right to reproduce the goods in the importing country", added = false,
    short = "a fee only for the right to reproduce the goods in the importing country (Art. 8.1(c))",
    why = "Art. 8.1(c): a fee only for the right to reproduce the goods in the importing country is not added." },
}

local cost_options, cost_answer, added_list, not_added_list = {}, {}, {}, {}
for i, c in ipairs(COSTS) do
  if c.added then
    cost_options[i] = { text = c.text, feedback = "Added. " .. c.why }
    cost_answer[#cost_answer + 1] = i
    added_list[#added_list + 1] = c.short
  else
    cost_options[i] = { text = c.text, feedback = "Not added. " .. c.why }
    not_added_list[#not_added_list + 1] = c.short
  end
end

q:multi{
  id = "additions",
  prompt = "The buyer bears each of these costs, and none is already in the price. Which are added to the price actually paid or payable under Article 8.1?",
  options = cost_options,
  answer = cost_answer,
  hint = ("%d of them are added. Look for who the agent works for, and where and when the work is done."):format(#cost_answer),
  explain = ("Added: %s. Not added: %s. Additions are made only if borne by the buyer and not already in the price, on objective and quantifiable data (Art. 8.3).")
    :format(table.concat(added_list, "; "), table.concat(not_added_list, "; ")),
}

---------------------------------------------------------------------------
-- 6. Buying or selling commission.

q:choice{
  id = "buying-commission",
  prompt = "An importer in Jakarta pays its own agent in Hong Kong a fee of 3% for finding suppliers, placing orders and checking quality. How is this fee treated in the customs value?",
  options = {
    { text = "Added as a commission under Art. 8.1(a)(i)",
      feedback = "The agent works for the buyer: this is a buying commission, which Art. 8.1(a)(i) excepts." },
    "Not added: it is a buying commission",
    { text = "Added as an assist under Art. 8.1(b)", feedback = "An assist is goods or work supplied to the producer, not a fee to the buyer's own agent." },
    { text = "Deducted from the price paid", feedback = "Nothing is deducted: the fee is simply not added." },
  },
  answer = 2,
  explain = "Art. 8.1(a)(i): commissions and brokerage are added, except buying commissions, fees the importer pays its own agent abroad for representing it in buying. Check the agency contract, not just the label on the invoice.",
}

---------------------------------------------------------------------------
-- 7. Related parties.

q:truefalse{
  id = "related-parties",
  prompt = "The seller owns 60% of the voting shares of the buyer, so they are related under Art. 15.4. This relationship in itself makes the transaction value unacceptable.",
  answer = false,
  attempts = 1,
  explain = "False. Art. 1.2(a): being related does not in itself make the transaction value unacceptable. Customs examines the circumstances of the sale and rejects the price only if the relationship influenced it, after giving the importer a chance to respond.",
}

---------------------------------------------------------------------------
-- 8. Cost -> treatment.

q:match{
  id = "treatment",
  prompt = "Match each cost, borne by the buyer and shown separately from the price, to its treatment.",
  pairs = {
    { "Selling commission", "Added under Art. 8.1(a)(i)" },
    { "Mould supplied free to the producer", "Added as an assist under Art. 8.1(b)" },
    { "Royalty paid as a condition of sale", "Added under Art. 8.1(c)" },
    { "Freight to the port of importation", "Depends on the CIF or FOB basis (Art. 8.2)" },
    { "Installation after importation", "Not part of the customs value (Interpretative Note to Art. 1)" },
  },
  distractors = { "Deducted from the price actually paid" },
  hint = "Only one cost depends on a national choice.",
  explain = "Selling commissions, assists and royalties paid as a condition of sale are added under Art. 8.1 (a), (b) and (c). Transport to the port of importation is a Member's choice under Art. 8.2. Work after importation is not part of the value when shown separately.",
}

---------------------------------------------------------------------------
-- 9. The Article 4 switch.

q:choice{
  id = "article-4",
  prompt = "Who may ask for computed value (Art. 6) to be tried before deductive value (Art. 5)?",
  options = {
    "The importer",
    { text = "The customs officer", feedback = "Customs does not make that choice." },
    { text = "The foreign seller", feedback = "The request belongs to the importer." },
    { text = "Nobody: the order is fixed without exception", feedback = "Article 4 is the one exception to the strict order." },
  },
  answer = 1,
  explain = "Art. 4: the importer may ask to reverse the order of Arts 5 and 6. Customs does not make that choice.",
}

---------------------------------------------------------------------------
-- 10. Art. 7.2: what the fall-back may never use.

q:choice{
  id = "fall-back",
  prompt = "An officer cannot value goods under Articles 1 to 6 and uses the fall-back method (Art. 7). Which basis is allowed?",
  options = {
    { text = "A list of minimum customs values", feedback = "Art. 7.2 forbids minimum customs values." },
    { text = "The price of the goods on the exporter's domestic market", feedback = "Art. 7.2 forbids it." },
    "The earlier methods applied with reasonable flexibility, on data available in the importing country",
    { text = "The higher of two alternative values", feedback = "Art. 7.2 forbids a system that takes the higher of two values." },
  },
  answer = 3,
  explain = "Art. 7 uses reasonable means consistent with the Agreement, usually the earlier methods applied flexibly. Art. 7.2 forbids minimum values, the exporter's domestic price, the higher of two values, the price for export to a third country, domestic selling prices, other production costs and arbitrary or fictitious values.",
}

q:on("answered", function(ev)
  if ev.id == "cif-value" and not ev.correct and ev.tries_left > 0 then
    return "Check each line: who is the commission paid to, and does the cost arise before or after importation?"
  end
end)

return q
