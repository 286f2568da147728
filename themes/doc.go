// Package themes builds every style mstudio draws with from one Palette.
//
// A Palette is fourteen hex colours. New turns it into a Styles value (pane
// borders, titles, text, status and help lines, badges, diff colours, input
// fields), a glamour markdown style and a chroma code style, all following
// the palette; the TUI builds one Styles at start (and on a theme change) and
// passes it down to every pane. No package keeps styles of its own.
//
// Three palettes are built in: "dark" (the default), "light" and
// "high-contrast" (black and white, saturated colours, and focus and
// selection shown by bold, reverse and thick borders as well as by colour).
// The theme setting "auto" picks dark or light from the terminal's
// background, which the TUI asks the terminal for at start; IsDarkColor
// judges its answer.
//
// # Theme files
//
// A user theme is a YAML file in the themes folder of the config folder,
// ~/.config/mstudio/themes/NAME.yaml (or $XDG_CONFIG_HOME/mstudio/themes),
// selected with "theme: NAME" in config.yaml:
//
//	# ~/.config/mstudio/themes/solarized.yaml ; select with `theme: solarized` in config.yaml
//	name: solarized
//	base: dark              # dark | light | high-contrast: colours not given come from this base
//	colors:                 # quote hex colours: a bare # starts a YAML comment
//	  background: "#002b36" # its lightness decides whether the theme is dark or light
//	  surface: "#073642"    # raised areas: inline code
//	  foreground: "#839496" # body text
//	  muted: "#657b83"      # hints, unfocused titles, comments in code
//	  subtle: "#586e75"     # borders of unfocused panes, rules
//	  accent: "#268bd2"     # focused border, selection, headings, keywords
//	  accent_text: "#fdf6e3" # text on the accent colour
//	  success: "#859900"
//	  warning: "#b58900"
//	  error: "#dc322f"
//	  info: "#2aa198"
//	  thinking: "#6c71c4"   # the model's reasoning
//	  badge: "#073642"      # capability badges: background
//	  badge_text: "#93a1a1" # capability badges: text
//	code: solarized-dark    # optional: a chroma style for code (monokai, github, dracula, ...)
//
// Every key is optional. name defaults to the file name; base defaults to
// dark; colors may give any subset of the fourteen colours, as "#rrggbb" or
// "#rgb"; code must name a chroma style, and without it code is highlighted
// with colours taken from the palette (keywords in the accent, strings in
// success, numbers in warning, comments muted). The file is read strictly:
// an unknown key, a malformed colour or an unknown base or code style is an
// error naming the file, the line and the key, such as
//
//	~/.config/mstudio/themes/solarized.yaml:10: colors.accent: "#ggg" is not a colour (want "#rrggbb")
//
// The same example is testdata/solarized.yaml, loaded by the tests; the
// format is also described in docs/themes.md.
//
// # Markdown and code
//
// Styles.Markdown starts from glamour's own dark or light style and replaces
// its colours with the palette's. Glamour can derive a chroma style from a
// markdown style, but it registers it once, globally, under the name
// "charm", so every later theme would keep the first one's code colours.
// New therefore registers a chroma style per palette ("mstudio-<name>",
// registered again when a palette of that name changes) and points
// Markdown's code blocks at it by name. Render with
// glamour.WithChromaFormatter(ChromaFormatter) to keep the exact colours.
package themes
