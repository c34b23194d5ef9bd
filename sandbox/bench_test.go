package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkClientCredentialsToken measures a token request over HTTPS
// (RS256 signing dominates).
func BenchmarkClientCredentialsToken(b *testing.B) {
	s, err := New(Options{Seed: 1, signingKey: testKey()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID},
		"client_secret": {s.ClientSecret}, "audience": {s.Audience}}.Encode()
	c := s.Client()
	for b.Loop() {
		resp, err := c.Post(s.BaseURL+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkManagementRead measures an authenticated Management API read
// (token verification, the tenant lock, JSON encoding).
func BenchmarkManagementRead(b *testing.B) {
	s, err := New(Options{Seed: 1, signingKey: testKey()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.mu.Lock()
	tok, err := s.sign(map[string]any{"aud": s.Audience, "exp": 1 << 40, "scope": "read:clients read:client_keys"})
	s.mu.Unlock()
	if err != nil {
		b.Fatal(err)
	}
	c := s.Client()
	for b.Loop() {
		req, _ := http.NewRequest("GET", s.BaseURL+"/api/v2/clients/"+s.ClientID, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkParallelTokensAndReads mixes token requests and Management API
// reads from concurrent clients: what the tenant lock costs when signing
// and verification run outside it.
func BenchmarkParallelTokensAndReads(b *testing.B) {
	s, err := New(Options{Seed: 1, signingKey: testKey()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.mu.Lock()
	tok, err := s.sign(map[string]any{"aud": s.Audience, "exp": 1 << 40, "scope": "read:clients"})
	s.mu.Unlock()
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID},
		"client_secret": {s.ClientSecret}, "audience": {s.Audience}}.Encode()
	c := s.Client()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			var resp *http.Response
			var err error
			if i%2 == 0 {
				resp, err = c.Post(s.BaseURL+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form))
			} else {
				req, _ := http.NewRequest("GET", s.BaseURL+"/api/v2/clients?per_page=5", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err = c.Do(req)
			}
			i++
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
