package auth0client_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
)

func TestDecodeTokenRefusesWhatIsNotAJWT(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "  ", "empty"},
		{"garbage", "hello-world", "has 1"},
		{"two parts", "abc.def", "has 2"},
		{"jwe", "a.b.c.d.e", "encrypted"},
		{"header not base64", "!!!." + b64(`{}`) + ".sig", "header (first part) is not base64url"},
		{"claims not json", b64(`{"alg":"RS256"}`) + "." + b64("secret-ish text") + ".sig", "claims (second part) is not a JSON object"},
		{"no alg", b64(`{"typ":"JWT"}`) + "." + b64(`{}`) + ".sig", "no \"alg\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth0client.DecodeToken(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DecodeToken: %v, want an error saying %q", err, tc.want)
			}
			if strings.TrimSpace(tc.in) != "" && strings.Contains(err.Error(), tc.in) {
				t.Errorf("the error repeats the input: %v", err)
			}
		})
	}
}

func TestVerifySignatureOfASandboxToken(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	c := sandboxtest.Client(t, sb, nil)
	ctx := context.Background()
	tc, err := c.ClientCredentialsToken(ctx, sb.ClientID, sb.ClientSecret, sb.Audience)
	if err != nil {
		t.Fatal(err)
	}

	d, err := auth0client.DecodeToken("Bearer " + tc.Token + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if d.Issuer != "https://"+sb.Domain+"/" || d.Claims["azp"] != sb.ClientID || d.Header["kid"] == nil {
		t.Errorf("decoded iss %q, azp %v, header %v", d.Issuer, d.Claims["azp"], d.Header)
	}
	if left := time.Until(d.Expires); left < 23*time.Hour || left > 24*time.Hour {
		t.Errorf("expires in %s, want about 24h", left)
	}

	// A client with no management credentials: the JWKS is public.
	pub, err := auth0client.New(auth0client.Config{Domain: sb.Domain, CAPEM: sb.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := pub.VerifySignature(ctx, tc.Token)
	if err != nil || !sc.Verified || sc.Alg != "RS256" || sc.Kid == "" {
		t.Fatalf("VerifySignature = %+v, %v; want verified RS256 with a kid", sc, err)
	}

	// The same claims under another signature.
	parts := strings.Split(tc.Token, ".")
	forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("not the tenant's signature"))
	sc, err = pub.VerifySignature(ctx, forged)
	if err != nil || sc.Verified || !strings.Contains(sc.Reason, "does not verify") {
		t.Fatalf("forged token: %+v, %v; want not verified", sc, err)
	}

	// A tenant that cannot be reached is an error, not a verdict.
	sb.Close()
	if _, err := pub.VerifySignature(ctx, forged+"x"); err == nil {
		t.Fatal("VerifySignature with the tenant gone: no error")
	}
}
