local q = quiz{ title = "Eight questions", pass = 0.5, attempts = 1 }
local methods = { "Transaction value", "Identical goods", "Similar goods",
                  "Deductive value", "Computed value", "Fall-back" }
for i = 1, 8 do
  q:choice{
    id = "q" .. i,
    prompt = ("Question %d: which method is number %d in the legal order?"):format(i, (i - 1) % 6 + 1),
    options = methods,
    answer = (i - 1) % 6 + 1,
    explain = "Articles 1, 2, 3, 5, 6 and 7, in that order.",
  }
end
return q
