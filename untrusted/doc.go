// Package untrusted makes text that mstudio did not write safe to show on a
// terminal.
//
// Model output, tool arguments, server error messages and model names all
// come from outside. Printed raw, such text can drive the terminal: move the
// cursor to overwrite what the user sees, change the window title, write the
// clipboard (OSC 52), or smuggle hyperlinks (DESIGN.md §6). Sanitize and
// Writer remove every escape sequence (CSI, OSC, DCS, SOS, PM, APC, and
// two-byte ESC sequences, in both their 7-bit ESC and 8-bit C1 forms), every
// C0 control except newline and tab, every C1 control, and DEL, and they turn
// invalid UTF-8 into U+FFFD. Printable text in any script, emoji included, is
// kept byte for byte.
//
// Writer keeps its state between writes, so a sequence or a UTF-8 character
// split across two stream chunks is handled exactly as if it had arrived
// whole: for any split of s, writing the parts gives Sanitize(s).
package untrusted
