// Package livehelp is the domain of Live Help: the types every function shares
// (sites, operators, visitors, conversations, messages) and the one error
// vocabulary of the product.
//
// It depends on nothing but the standard library. Storage, transport and AWS
// details live in the sibling packages (store, push, email, auth, webapi); the
// rules here take the current time as an argument so tests can pin it.
package livehelp
