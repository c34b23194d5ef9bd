package sandbox

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// The sandbox's tokens keep, byte for byte, what it issued before it moved
// to jwx (golang-jwt v5): header {"alg","kid","typ"} and the claims in
// encoding/json's order. RS256 (PKCS #1 v1.5) and HS256 are deterministic,
// so the whole token is compared.
func TestTokensKeepTheirBytes(t *testing.T) {
	t.Parallel()
	s := &Server{}
	if err := s.setKey(goldenKey(t)); err != nil {
		t.Fatal(err)
	}
	cc := claims{"iss": "https://x.example/", "sub": "abc@clients", "aud": "https://api.example/", "iat": int64(1700000000),
		"exp": int64(1700086400), "gty": "client-credentials", "azp": "abc", "scope": "read:clients create:users"}
	user := claims{"iss": "https://x.example/", "sub": "auth0|1", "aud": []string{"https://api.example/", "https://x.example/userinfo"},
		"iat": int64(1700000000), "exp": int64(1700086400), "email": "a@b.c", "email_verified": true}
	const (
		wantRS   = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVRbmx5S0tOYmZiYVdYa2ZFMTdRIiwidHlwIjoiSldUIn0.eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlLyIsImF6cCI6ImFiYyIsImV4cCI6MTcwMDA4NjQwMCwiZ3R5IjoiY2xpZW50LWNyZWRlbnRpYWxzIiwiaWF0IjoxNzAwMDAwMDAwLCJpc3MiOiJodHRwczovL3guZXhhbXBsZS8iLCJzY29wZSI6InJlYWQ6Y2xpZW50cyBjcmVhdGU6dXNlcnMiLCJzdWIiOiJhYmNAY2xpZW50cyJ9.peKi5a6shcb-QFIwmVywixEfzVJ7MdbbEcpx9DWwgWa6sxm-416zWpWfFKwOfdKlbS-O9EBl1SxTqzgKKK1UxqieciL7k7vrRw_KG91NF6SIfcRt1tUVwk4osi2ko88XnSxxJKQXT9nyRlS67NrRVZnxlqBdmXijRENzMGmAXG1-3voFCou9dDq-dh4lwzAHAwLmy8FzPqPt1VJ5IzHu8sveOQCTiCidpeSz9HHpsAK1LeLMg2o6DT_tPJk4XyJbYR9PuaDJ0rpxDhpe6znsnOxvlU4VrMYoC5vmJBpNToNFxaNQLir8Wu_evnME1r8g6dWzP2DzXvjdTgYfNF_7Lg"
		wantUser = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVRbmx5S0tOYmZiYVdYa2ZFMTdRIiwidHlwIjoiSldUIn0.eyJhdWQiOlsiaHR0cHM6Ly9hcGkuZXhhbXBsZS8iLCJodHRwczovL3guZXhhbXBsZS91c2VyaW5mbyJdLCJlbWFpbCI6ImFAYi5jIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsImV4cCI6MTcwMDA4NjQwMCwiaWF0IjoxNzAwMDAwMDAwLCJpc3MiOiJodHRwczovL3guZXhhbXBsZS8iLCJzdWIiOiJhdXRoMHwxIn0.U9vkIX1kW8KJOR0kEkV8yxdjvU_D-hVQrQM-sgnXh_VtRcUhaUomgUaT5GG8_mpmGRp9STOfHwsE2M42FcjvQl2HrcLYJsP1alP0yw-KDbNCOvkUOWL172FRhqvD1PceK3dA47dOI_Zn9b-cEF5txHzJyUZV7zv8DI2zFd2WtO5J8_0tqr8AnYIS75pM1-sdfc-ACPH_w5fEcrdrOHiq1yXdWjsdtEpHO3MOsp0KtX7YjXcZZV6gaDIpmw8qKpO6bRIsYd6kpaNAdlPjN0tHdPC1-mSM6UFuo4w-SyfzFBeYApKsbDXDE-0oXAT5YicaW0IibPXeg3LuidsmlVBnuw"
		wantHS   = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlLyIsImF6cCI6ImFiYyIsImV4cCI6MTcwMDA4NjQwMCwiZ3R5IjoiY2xpZW50LWNyZWRlbnRpYWxzIiwiaWF0IjoxNzAwMDAwMDAwLCJpc3MiOiJodHRwczovL3guZXhhbXBsZS8iLCJzY29wZSI6InJlYWQ6Y2xpZW50cyBjcmVhdGU6dXNlcnMiLCJzdWIiOiJhYmNAY2xpZW50cyJ9.MbQOyTZGBRCFfiLbvWXjsT22ymD1Df6FMK6Y9Km1lpc"
	)
	if got, err := s.sign(cc); err != nil || got != wantRS {
		t.Errorf("RS256 client token changed (%v):\n got %s\nwant %s", err, got, wantRS)
	}
	if got, err := s.sign(user); err != nil || got != wantUser {
		t.Errorf("RS256 user token changed (%v):\n got %s\nwant %s", err, got, wantUser)
	}
	if got, err := signJWT(cc, jwa.HS256, []byte("sekrit"), ""); err != nil || got != wantHS {
		t.Errorf("HS256 token changed (%v):\n got %s\nwant %s", err, got, wantHS)
	}
}

// goldenKey is the fixed key of testdata/golden-signing-key.pem (made for
// this test only; it signs nothing else).
func goldenKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile("testdata/golden-signing-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatal("testdata/golden-signing-key.pem holds no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("testdata/golden-signing-key.pem holds a %T", k)
	}
	return key
}

// verify refuses what golang-jwt refused, each for its reason.
func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Seed: 1, signingKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().Unix()
	sign := func(c claims) string {
		raw, err := s.sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	good := sign(claims{"aud": "a", "exp": now + 60})
	if c, err := s.verify(good); err != nil || c.str("aud") != "a" {
		t.Fatalf("a good token: %v %v", c, err)
	}
	parts := strings.Split(good, ".")
	rs384, err := signJWT(claims{"exp": now + 60}, jwa.RS384, testKey(), "")
	if err != nil {
		t.Fatal(err)
	}
	// An RS256 signature under a header that names RS384.
	relabelled := strings.Split(rs384, ".")[0] + "." + parts[1] + "." + parts[2]
	hs, err := signJWT(claims{"exp": now + 60}, jwa.HS256, []byte("k"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, raw string
		want      error
	}{
		{"garbage", "not-a-jwt", errTokenMalformed},
		{"two parts", parts[0] + "." + parts[1], errTokenMalformed},
		{"payload not JSON", parts[0] + ".bm90IGpzb24." + parts[2], errTokenSignature},
		{"tampered payload", parts[0] + "." + strings.Split(sign(claims{"aud": "b", "exp": now + 60}), ".")[1] + "." + parts[2], errTokenSignature},
		{"HS256", hs, errTokenSignature},
		{"RS384", rs384, errTokenSignature},
		{"header relabelled", relabelled, errTokenSignature},
		{"no exp", sign(claims{"aud": "a"}), errTokenInvalid},
		{"exp not a number", sign(claims{"exp": "soon"}), errTokenInvalid},
		{"expired", sign(claims{"exp": now - 1}), errTokenExpired},
		{"not yet valid", sign(claims{"exp": now + 60, "nbf": now + 30}), errTokenInvalid},
	} {
		if _, err := s.verify(c.raw); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
