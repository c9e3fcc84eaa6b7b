package client

// Version is the version of this SDK, sent in the User-Agent header of every
// request as "kronor-go/<Version>". Between releases it is the next release's
// version with the suffix "-dev"; CHANGELOG.md's "Unreleased" section lists
// what changed since the last release.
const Version = "0.2.0-dev"

// userAgent is the User-Agent header's value.
const userAgent = "kronor-go/" + Version
