package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The kinds on WSO2 API Manager's side of the wso2 playbook: the key
// manager registered through the Admin REST API (the guide's step 2), and
// the developer-portal application whose production keys WSO2 generates
// with that key manager (step 3.1–3.2: WSO2's Auth0 connector then makes the
// Auth0 application). What WSO2 made is deleted through WSO2, never behind
// its back.
const (
	KindWSO2KeyManager  ResourceKind = "wso2_key_manager"
	KindWSO2Application ResourceKind = "wso2_application"
)

// The wso2 playbook's actions on WSO2's side, and the client grant step 3.3
// gives the application WSO2's connector made.
const (
	ActWSO2KeyManager  = "wso2_key_manager"
	ActWSO2Application = "wso2_application"
	ActWSO2Grant       = "wso2_client_grant"
)

// WSO2ThrottlingPolicy is the application throttling policy of the
// developer-portal application the wizard makes.
const WSO2ThrottlingPolicy = "Unlimited"

// WSO2Result is what a run did on WSO2's side.
type WSO2Result struct {
	URL           string     `json:"url"`
	KeyManagerID  string     `json:"key_manager_id"`
	ApplicationID string     `json:"application_id"`
	Token         TokenCheck `json:"token"`
}

// wso2RunMark is how the run id is written in a WSO2 resource's
// description (WSO2 keeps no metadata): "… (auth0-wizard run ID)".
const wso2RunMark = "auth0-wizard run "

func wso2Description(what, run string) string {
	return what + " (" + wso2RunMark + run + ")"
}

// wso2RunOf reads the run id out of a description.
func wso2RunOf(desc string) string {
	i := strings.LastIndex(desc, wso2RunMark)
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(desc[i+len(wso2RunMark):], ")")
}

func needWSO2(c env) error {
	if c.wso2 == nil {
		return errors.New("this action needs WSO2 API Manager's admin credentials, which were not given")
	}
	return nil
}

// WSO2KeyManagerFor is the Auth0 key manager WSO2 should hold for the tenant
// (its endpoints as discovery gave them) and the management application.
func WSO2KeyManagerFor(ep Endpoints, domain string, s Settings) WSO2KeyManager {
	dto := KeyManager(Result{Endpoints: ep, Domain: domain}, s, true)
	props := map[string]any{WSO2PropClientID: s.ClientID, WSO2PropAudience: s.Audience, WSO2PropSelfValidateJWT: true}
	km := WSO2KeyManager{
		Name: dto.Name, DisplayName: dto.DisplayName, Type: WSO2KeyManagerTypeAuth0, Description: dto.Description,
		WellKnownEndpoint: dto.WellKnownEndpoint, Issuer: dto.Issuer, ClientRegistrationEndpoint: dto.ClientRegistrationEndpoint,
		IntrospectionEndpoint: dto.IntrospectionEndpoint, TokenEndpoint: dto.TokenEndpoint, RevokeEndpoint: dto.RevokeEndpoint,
		UserInfoEndpoint: dto.UserInfoEndpoint, AuthorizeEndpoint: dto.AuthorizeEndpoint,
		Certificates:            &WSO2Certificates{Type: dto.Certificates.Type, Value: dto.Certificates.Value},
		ScopeManagementEndpoint: dto.ScopeManagementEndpoint, AvailableGrantTypes: dto.AvailableGrantTypes,
		EnableTokenGeneration: dto.EnableTokenGeneration, EnableMapOAuthConsumerApps: dto.EnableMapOAuthConsumerApps,
		EnableOAuthAppCreation: dto.EnableOAuthAppCreation, EnableSelfValidationJWT: dto.EnableSelfValidationJWT,
		ConsumerKeyClaim: dto.ConsumerKeyClaim, ScopesClaim: dto.ScopesClaim, Enabled: dto.Enabled,
		AdditionalProperties: props, ClientSecret: s.ClientSecret,
	}
	for _, v := range dto.TokenValidation {
		km.TokenValidation = append(km.TokenValidation, WSO2TokenValidation(v))
	}
	return km
}

// keyManagerChanges lists what differs between the key manager wanted and
// the one WSO2 holds (the secret cannot be read back, so it is not compared).
func keyManagerChanges(want, got WSO2KeyManager) []string {
	var ch []string
	cmp := func(field, w, g string) {
		if w != g {
			ch = append(ch, fmt.Sprintf("%s %s → %s", field, orNone(g), w))
		}
	}
	cmp("type", want.Type, got.Type)
	cmp("well-known URL", want.WellKnownEndpoint, got.WellKnownEndpoint)
	cmp("issuer", want.Issuer, got.Issuer)
	cmp("client registration endpoint", want.ClientRegistrationEndpoint, got.ClientRegistrationEndpoint)
	cmp("token endpoint", want.TokenEndpoint, got.TokenEndpoint)
	cmp("revoke endpoint", want.RevokeEndpoint, got.RevokeEndpoint)
	cmp("userinfo endpoint", want.UserInfoEndpoint, got.UserInfoEndpoint)
	cmp("authorize endpoint", want.AuthorizeEndpoint, got.AuthorizeEndpoint)
	cmp("consumer key claim", want.ConsumerKeyClaim, got.ConsumerKeyClaim)
	cmp("scopes claim", want.ScopesClaim, got.ScopesClaim)
	if want.Certificates != nil && (got.Certificates == nil || *got.Certificates != *want.Certificates) {
		g := ""
		if got.Certificates != nil {
			g = got.Certificates.Value
		}
		cmp("JWKS", want.Certificates.Value, g)
	}
	for _, k := range []string{WSO2PropClientID, WSO2PropAudience} {
		cmp("connector "+k, fmt.Sprint(want.AdditionalProperties[k]), fmt.Sprint(got.AdditionalProperties[k]))
	}
	if want.Enabled && !got.Enabled {
		ch = append(ch, "enable it")
	}
	if want.EnableSelfValidationJWT && !got.EnableSelfValidationJWT {
		ch = append(ch, "self-validate JWTs")
	}
	return ch
}

var wso2KeyManagerKind = kindDef{
	label: "WSO2 key manager", inResult: true, doneVerb: Create,
	lookupKeys: func(d Desired, _ refs) map[string]string { return map[string]string{"name": d.KeyManager.Name} },
	complete: func(d *Desired, ep Endpoints, domain string, s Settings) {
		run := wso2RunOf(d.KeyManager.Description)
		d.KeyManager = WSO2KeyManagerFor(ep, domain, s)
		if run != "" {
			d.KeyManager.Description = wso2Description(d.KeyManager.Description, run)
		}
	},
	find: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
		if err := needWSO2(c); err != nil {
			return resource{}, err
		}
		km, err := c.wso2.FindKeyManager(ctx, d.KeyManager.Name)
		return resource{id: km.ID, km: km}, err
	},
	create: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
		if err := needWSO2(c); err != nil {
			return resource{}, err
		}
		km, err := c.wso2.CreateKeyManager(ctx, d.KeyManager)
		return resource{id: km.ID, km: km}, err
	},
	changes: func(d Desired, f resource) []string { return keyManagerChanges(d.KeyManager, f.km) },
	update: func(ctx context.Context, c env, d Desired, f resource, _ refs) (resource, error) {
		want := d.KeyManager
		want.ID, want.Description = f.id, f.km.Description // keep whose it is
		km, err := c.wso2.UpdateKeyManager(ctx, f.id, want)
		return resource{id: orID(km.ID, f.id), km: km}, err
	},
	mark: func(d *Desired, run string) {
		d.KeyManager.Description = wso2Description(strings.TrimSpace(d.KeyManager.Description), run)
	},
	runOf: func(f resource) string { return wso2RunOf(f.km.Description) },
	resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
		if err := needWSO2(c); err != nil {
			return "", err
		}
		km, err := c.wso2.FindKeyManager(ctx, l["name"])
		return km.ID, err
	},
	owner: func(ctx context.Context, c env, id string, _ map[string]string) (bool, string, error) {
		if err := needWSO2(c); err != nil {
			return false, "", err
		}
		km, err := c.wso2.GetKeyManager(ctx, id)
		run := wso2RunOf(km.Description)
		return run != "", run, err
	},
	delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
		if err := needWSO2(c); err != nil {
			return err
		}
		return c.wso2.DeleteKeyManager(ctx, id)
	},
}

// keysFor returns the application's keys with the key manager, if any.
func keysFor(all []WSO2ApplicationKeys, keyManager string) (WSO2ApplicationKeys, bool) {
	for _, k := range all {
		if k.KeyManager == keyManager && (k.KeyType == "" || k.KeyType == WSO2Production) {
			return k, true
		}
	}
	return WSO2ApplicationKeys{}, false
}

var wso2ApplicationKind = kindDef{
	label: "WSO2 application", inResult: true, doneVerb: Create,
	lookupKeys: func(d Desired, _ refs) map[string]string { return map[string]string{"name": d.WSO2App.Name} },
	find: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
		if err := needWSO2(c); err != nil {
			return resource{}, err
		}
		app, err := c.wso2.FindApplication(ctx, d.WSO2App.Name)
		if err != nil {
			return resource{}, err
		}
		all, err := c.wso2.ApplicationKeys(ctx, app.ID)
		if err != nil {
			return resource{}, err
		}
		keys, _ := keysFor(all, d.WSO2Keys.KeyManager)
		return resource{id: app.ID, wapp: app, keys: keys}, nil
	},
	create: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
		if err := needWSO2(c); err != nil {
			return resource{}, err
		}
		app, err := c.wso2.CreateApplication(ctx, d.WSO2App)
		return resource{id: app.ID, wapp: app}, err
	},
	// Keys are what the application is for: one just made gets them
	// generated (one found without them is updated, see changes).
	finish: func(ctx context.Context, c env, d Desired, f resource) (resource, error) {
		if f.keys.ConsumerKey != "" {
			return f, nil
		}
		keys, err := c.wso2.GenerateKeys(ctx, f.id, d.WSO2Keys)
		if err != nil {
			return resource{}, fmt.Errorf("generate production keys of WSO2 application %s with key manager %s: %w", Printable(f.wapp.Name), d.WSO2Keys.KeyManager, err)
		}
		f.keys = keys
		return f, nil
	},
	changes: func(d Desired, f resource) []string {
		if f.keys.ConsumerKey == "" {
			return []string{"generate production keys with key manager " + d.WSO2Keys.KeyManager}
		}
		return nil
	},
	update: func(ctx context.Context, c env, d Desired, f resource, _ refs) (resource, error) {
		keys, err := c.wso2.GenerateKeys(ctx, f.id, d.WSO2Keys)
		if err != nil {
			return resource{}, fmt.Errorf("generate production keys of WSO2 application %s with key manager %s: %w", Printable(f.wapp.Name), d.WSO2Keys.KeyManager, err)
		}
		f.keys = keys
		return f, nil
	},
	mark: func(d *Desired, run string) {
		d.WSO2App.Description = wso2Description(strings.TrimSpace(d.WSO2App.Description), run)
	},
	runOf: func(f resource) string { return wso2RunOf(f.wapp.Description) },
	resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
		if err := needWSO2(c); err != nil {
			return "", err
		}
		app, err := c.wso2.FindApplication(ctx, l["name"])
		return app.ID, err
	},
	owner: func(ctx context.Context, c env, _ string, l map[string]string) (bool, string, error) {
		if err := needWSO2(c); err != nil {
			return false, "", err
		}
		app, err := c.wso2.FindApplication(ctx, l["name"])
		run := wso2RunOf(app.Description)
		return run != "", run, err
	},
	delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
		if err := needWSO2(c); err != nil {
			return err
		}
		return c.wso2.DeleteApplication(ctx, id)
	},
}

// wso2Connected says whether the settings carry WSO2's admin credentials:
// then the wizard registers the key manager and generates keys through
// WSO2 itself.
func wso2Connected(s Settings) bool { return s.WSO2AdminPassword != "" }

// wso2Actions are the wso2 playbook's actions on WSO2's side and the grant
// of step 3.3 for the application its connector makes.
func wso2SideActions() []ActionSpec {
	return []ActionSpec{
		// After the API: the guide's connector makes "WSO2 resource server
		// API" (the server URL as identifier) when it registers a key
		// manager and finds none; made first, it is this run's.
		{ID: ActWSO2KeyManager, Kind: KindWSO2KeyManager, When: wso2Connected, DependsOn: []string{ActResourceServer},
			Inputs: map[string]string{"name": "key_manager_name"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.KeyManagerName, KeyManager: WSO2KeyManager{Name: s.KeyManagerName, DisplayName: s.KeyManagerDisplayName}}
			}},
		{ID: ActWSO2Application, Kind: KindWSO2Application, When: wso2Connected, DependsOn: []string{ActWSO2KeyManager, ActResourceServer},
			Inputs: map[string]string{"name": "wso2_app_name"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.WSO2AppName,
					WSO2App: WSO2Application{Name: s.WSO2AppName, ThrottlingPolicy: WSO2ThrottlingPolicy, Description: "Made by auth0-wizard for the WSO2 guide"},
					WSO2Keys: WSO2KeyRequest{KeyType: WSO2Production, KeyManager: s.KeyManagerName, GrantTypes: slices.Clone(s.GrantTypes),
						AppType: s.AppType, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod, AudienceOfAPI: s.APIIdentifier, Scopes: []string{WSO2Scope}}}
			}},
		{ID: ActWSO2Grant, Kind: KindClientGrant, When: wso2Connected, DependsOn: []string{ActResourceServer, ActWSO2Application},
			Inputs: map[string]string{"audience": "api_identifier"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.WSO2AppName + " (WSO2) → " + s.APIIdentifier, Grant: ClientGrant{Audience: s.APIIdentifier, Scope: []string{WSO2Scope}}}
			}},
	}
}

// authorizeActions are the grants of step 3.3 for applications WSO2's
// connector made, picked by their client IDs (Settings.AuthorizeClients).
func authorizeActions(s Settings) []ActionSpec {
	var out []ActionSpec
	for _, id := range s.AuthorizeClients {
		out = append(out, ActionSpec{ID: "authorize:" + id, Kind: KindClientGrant, DependsOn: []string{ActResourceServer},
			Want: func(s Settings) Desired {
				return Desired{Name: id + " → " + s.APIIdentifier, Grant: ClientGrant{ClientID: id, Audience: s.APIIdentifier, Scope: []string{WSO2Scope}}}
			}})
	}
	return out
}

// ConnectorApp is an Auth0 application WSO2's Auth0 connector made (named
// <user><app>_PRODUCTION or _SANDBOX, without this tool's marker), and
// whether it is authorized for the API (the guide's step 3.3).
type ConnectorApp struct {
	App        App
	Authorized bool
	GrantID    string
}

// ConnectorApplications lists the applications WSO2's connector made in the
// tenant, each with whether a client grant authorizes it for the API the
// settings name: what the guide's step 3.3 has a person add to the "WSO2
// resource server API" by hand.
func (e *Engine) ConnectorApplications(ctx context.Context, s Settings) ([]ConnectorApp, error) {
	s = WithDefaults(s)
	apps, err := e.c.FindClientsBySuffix(ctx, "_"+WSO2Production, "_"+WSO2Sandbox)
	if err != nil {
		return nil, fmt.Errorf("list the applications WSO2's connector made: %w", err)
	}
	var out []ConnectorApp
	for _, a := range apps {
		if a.Marked() {
			continue // the wizard's own
		}
		g, err := e.c.FindClientGrant(ctx, a.ClientID, s.APIIdentifier)
		switch {
		case err == nil:
			out = append(out, ConnectorApp{App: a, Authorized: true, GrantID: g.ID})
		case errors.Is(err, ErrNotFound):
			out = append(out, ConnectorApp{App: a})
		default:
			return nil, fmt.Errorf("look up the client grant of %s for %s: %w", Printable(a.Name), s.APIIdentifier, err)
		}
	}
	return out, nil
}
