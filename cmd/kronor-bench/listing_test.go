package main

// The listing's rows follow the others (listing.go).
func init() { wantKeys = append(wantKeys, listingKeys...) }
