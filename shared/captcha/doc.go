// Package captcha draws and checks the CAPTCHA of the offline form, built on
// github.com/dchest/captcha: a PNG image and a WAV recording of six random
// digits. The solutions are kept in DynamoDB (package store) through the
// library's Store interface, expire after Life, and are single-use: a
// solved challenge is spent, and a wrong answer burns it, so the visitor
// gets a new one (a refresh is a new challenge too).
//
// Images and audio are drawn on request from the stored digits, so any
// function process can serve any challenge; nothing is cached.
package captcha
