// Package ctl implements livehelpctl, the admin command-line tool of a Live
// Help deployment. Main runs one command line; the command in
// infra/livehelpctl only wires it to the process.
//
// Commands (flags may also come before the group):
//
//	site create|list|set           the sites this deployment serves
//	operator create|list|reset-password
//	group create|list              operator groups (transfer targets)
//	canned export|import           a site's canned-message tree
//
// Two backends carry them out:
//
//   - --table NAME (or LIVEHELP_TABLE) writes the DynamoDB table directly
//     through shared/store, so the rules the functions apply (conditional
//     writes, the operator-plus-login transaction) apply here too. The AWS
//     client comes from config.LoadDefaultConfig: profiles, AWS_REGION and
//     AWS_ENDPOINT_URL_DYNAMODB work as everywhere else, and --region,
//     --profile and --endpoint-url override them.
//   - --api URL (the stack's RestApiUrl) logs in to the console API with an
//     admin's email and password and uses what that API offers; operations
//     it does not offer fail with a message naming --table instead.
//
// Passwords are read from standard input (--password-stdin, first line) or
// from the terminal with echo off, or generated (--generate-password) and
// printed once. Bad input gets a clear message and exit status 2 (usage) or
// 1 (refused or failed), and nothing is written before all input is checked.
package ctl
