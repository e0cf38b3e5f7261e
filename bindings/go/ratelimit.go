package openai

import (
	"net/http"
	"strconv"
	"time"
)

// RateLimitHeaders are the gateway's x-ratelimit-* headers (0 / "" when absent).
type RateLimitHeaders struct {
	LimitRequests     int       `json:"x-ratelimit-limit-requests"`
	LimitTokens       int       `json:"x-ratelimit-limit-tokens"`
	RemainingRequests int       `json:"x-ratelimit-remaining-requests"`
	RemainingTokens   int       `json:"x-ratelimit-remaining-tokens"`
	ResetRequests     ResetTime `json:"x-ratelimit-reset-requests"`
	ResetTokens       ResetTime `json:"x-ratelimit-reset-tokens"`
}

// ResetTime is a reset header's value, a Go duration such as "6m0s" or "1s".
type ResetTime string

func (r ResetTime) String() string { return string(r) }

// Time is now plus the duration (now when it does not parse).
func (r ResetTime) Time() time.Time {
	d, _ := time.ParseDuration(string(r))
	return time.Now().Add(d)
}

func newRateLimitHeaders(h http.Header) RateLimitHeaders {
	number := func(name string) int {
		n, _ := strconv.Atoi(h.Get(name))
		return n
	}
	return RateLimitHeaders{
		LimitRequests:     number("x-ratelimit-limit-requests"),
		LimitTokens:       number("x-ratelimit-limit-tokens"),
		RemainingRequests: number("x-ratelimit-remaining-requests"),
		RemainingTokens:   number("x-ratelimit-remaining-tokens"),
		ResetRequests:     ResetTime(h.Get("x-ratelimit-reset-requests")),
		ResetTokens:       ResetTime(h.Get("x-ratelimit-reset-tokens")),
	}
}
