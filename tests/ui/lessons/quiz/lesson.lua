-- A short lesson with a quiz, for the kill test: answers are recorded one by
-- one while the player is killed at random moments.
return {
  id = "outpost.test.quiz",
  version = "1.0.0",
  title = "Quiz under power cuts",
  language = "en",
  pages = {
    { path = "pages/intro.md", id = "intro" },
    { path = "quizzes/check.lua", id = "check" },
  },
}
