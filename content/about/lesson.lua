return {
  id = "wco.rocb.about",
  version = "1.0.0",
  title = "About ROCB A/P and Outpost",
  language = "en",
  description = "Who trains you: the WCO Regional Office for Capacity Building for Asia/Pacific. And how to find your way around the Outpost lesson player.",
  authors = { "Outpost sample content" },
  publisher = "Outpost",
  minutes = 10,
  cover = "images/cover.svg",
  pages = {
    { path = "pages/01-rocb.md", id = "rocb" },
    { path = "pages/02-rocb-training.md", id = "rocb-training" },
    { path = "pages/03-using-outpost.md", id = "using-outpost" },
  },
}
