-- A lesson that exercises the page renderer in the scripts Outpost must read.
return {
  id = "outpost.test.scripts",
  version = "1.0.0",
  title = "Scripts of the region",
  language = "en",
  description = "Pages in English, Thai, Chinese and other scripts, for rendering tests.",
  minutes = 5,
  pages = {
    { path = "pages/en.md", id = "en" },
    { path = "pages/th.md", id = "th" },
    { path = "pages/zh.md", id = "zh" },
    { path = "pages/more.md", id = "more" },
    { path = "pages/long.md", id = "long" },
  },
}
