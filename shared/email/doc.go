// Package email sends mail through Amazon SES v2: every message has a plain
// text and an HTML part, the HTML part escapes everything it shows, and no CR
// or LF from input ever reaches a header.
package email
