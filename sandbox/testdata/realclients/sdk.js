// The Auth0 Node.js SDK (npm "auth0", pinned in package.json), unmodified,
// against a sandbox tenant: create, read, update, list page by page and
// delete every kind the sandbox serves. sandbox/realclients_test.go runs it
// with AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and
// NODE_EXTRA_CA_CERTS (the sandbox CA) in the environment.
//
// Each operation prints one line "ok NAME" or "FAIL NAME: why"; the last
// line is "summary PASSED/TOTAL". The exit status is 1 when one failed.
"use strict";

const { ManagementClient } = require("auth0");

const mgmt = new ManagementClient({
  domain: process.env.AUTH0_DOMAIN,
  clientId: process.env.AUTH0_CLIENT_ID,
  clientSecret: process.env.AUTH0_CLIENT_SECRET,
  maxRetries: 0,
});

let passed = 0;
let total = 0;

async function op(name, fn) {
  total++;
  try {
    await fn();
    passed++;
    console.log(`ok ${name}`);
  } catch (e) {
    const status = e && e.statusCode ? ` (HTTP ${e.statusCode})` : "";
    const body = e && e.body ? ` ${JSON.stringify(e.body)}` : "";
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}${status}${body}`);
  }
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

// all walks every page of a pageable answer and returns its items.
async function all(pageable) {
  const items = [];
  for await (const item of await pageable) items.push(item);
  return items;
}

// pages counts the pages a pageable answer has, walking them by hand.
async function pages(pageable) {
  let page = await pageable;
  let n = 1;
  while (page.hasNextPage()) {
    page = await page.getNextPage();
    n++;
  }
  return n;
}

async function main() {
  const run = Date.now().toString(36);
  const ids = {};

  // ---- resource servers ----
  await op("resourceServers.create", async () => {
    const rs = await mgmt.resourceServers.create({
      name: "Node SDK API",
      identifier: `https://node-sdk.example/${run}`,
      scopes: [{ value: "read:things", description: "Read things" }],
      signing_alg: "RS256",
    });
    expect(rs.id && rs.id.length === 24, `id ${rs.id}`);
    expect(rs.token_lifetime === 86400, `token_lifetime ${rs.token_lifetime}`);
    ids.rs = rs.id;
  });
  for (let i = 0; i < 3; i++) {
    await op(`resourceServers.create#${i}`, async () => {
      await mgmt.resourceServers.create({ name: `Page API ${i}`, identifier: `https://page-${i}.example/${run}` });
    });
  }
  await op("resourceServers.get", async () => {
    const rs = await mgmt.resourceServers.get(ids.rs);
    expect(rs.scopes.length === 1 && rs.scopes[0].value === "read:things", `scopes ${JSON.stringify(rs.scopes)}`);
  });
  await op("resourceServers.get(identifier)", async () => {
    const rs = await mgmt.resourceServers.get(`https://node-sdk.example/${run}`);
    expect(rs.id === ids.rs, `id ${rs.id}`);
  });
  await op("resourceServers.update", async () => {
    const rs = await mgmt.resourceServers.update(ids.rs, { token_lifetime: 3600, allow_offline_access: true });
    expect(rs.token_lifetime === 3600 && rs.allow_offline_access === true, JSON.stringify(rs));
  });
  await op("resourceServers.list(paged)", async () => {
    const items = await all(mgmt.resourceServers.list({ per_page: 2 }));
    // The system API and the four above.
    expect(items.length === 5, `${items.length} items`);
    expect(items.some((x) => x.is_system), "no system API");
    const n = await pages(mgmt.resourceServers.list({ per_page: 2 }));
    expect(n >= 3, `${n} pages`);
  });

  // ---- clients ----
  await op("clients.create", async () => {
    const c = await mgmt.clients.create({
      name: "Node SDK M2M",
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
      client_metadata: { team: "node" },
    });
    expect(c.client_id && c.client_secret, "no id or secret");
    ids.client = c.client_id;
    ids.secret = c.client_secret;
  });
  for (let i = 0; i < 3; i++) {
    await op(`clients.create#${i}`, async () => {
      await mgmt.clients.create({ name: `Page App ${i}`, app_type: "spa" });
    });
  }
  await op("clients.get", async () => {
    const c = await mgmt.clients.get(ids.client);
    expect(c.name === "Node SDK M2M" && c.client_metadata.team === "node", JSON.stringify(c));
  });
  await op("clients.get(fields)", async () => {
    const c = await mgmt.clients.get(ids.client, { fields: "name,client_id", include_fields: true });
    expect(c.name === "Node SDK M2M" && c.client_id === ids.client && c.callbacks === undefined, JSON.stringify(c));
  });
  await op("clients.update", async () => {
    const c = await mgmt.clients.update(ids.client, { description: "updated", callbacks: ["https://cb.example"] });
    expect(c.description === "updated" && c.callbacks[0] === "https://cb.example", JSON.stringify(c));
  });
  await op("clients.rotateSecret", async () => {
    const c = await mgmt.clients.rotateSecret(ids.client);
    expect(c.client_secret && c.client_secret !== ids.secret, "secret unchanged");
  });
  await op("clients.list(paged)", async () => {
    const items = await all(mgmt.clients.list({ per_page: 2 }));
    expect(items.some((x) => x.client_id === ids.client), "created client missing");
    expect(items.length >= 5, `${items.length} items`);
    const n = await pages(mgmt.clients.list({ per_page: 2 }));
    expect(n >= 3, `${n} pages`);
  });
  await op("clients.list(app_type)", async () => {
    const items = await all(mgmt.clients.list({ app_type: "spa" }));
    expect(items.length === 3, `${items.length} spa clients`);
  });

  // ---- client grants ----
  await op("clientGrants.create", async () => {
    const g = await mgmt.clientGrants.create({
      client_id: ids.client,
      audience: `https://node-sdk.example/${run}`,
      scope: ["read:things"],
    });
    expect(g.id && g.id.startsWith("cgr_"), `id ${g.id}`);
    ids.grant = g.id;
  });
  for (let i = 0; i < 3; i++) {
    await op(`clientGrants.create#${i}`, async () => {
      await mgmt.clientGrants.create({ client_id: ids.client, audience: `https://page-${i}.example/${run}`, scope: [] });
    });
  }
  await op("clientGrants.get", async () => {
    const g = await mgmt.clientGrants.get(ids.grant);
    expect(g.client_id === ids.client && g.scope[0] === "read:things", JSON.stringify(g));
  });
  await op("clientGrants.update", async () => {
    const g = await mgmt.clientGrants.update(ids.grant, { scope: [] });
    expect(Array.isArray(g.scope) && g.scope.length === 0, JSON.stringify(g));
  });
  await op("clientGrants.list(paged)", async () => {
    const items = await all(mgmt.clientGrants.list({ client_id: ids.client, take: 2 }));
    expect(items.length === 4, `${items.length} grants`);
    const n = await pages(mgmt.clientGrants.list({ take: 2 }));
    expect(n >= 3, `${n} pages`);
  });
  await op("clientGrants.list(audience)", async () => {
    const items = await all(mgmt.clientGrants.list({ audience: `https://node-sdk.example/${run}` }));
    expect(items.length === 1 && items[0].id === ids.grant, JSON.stringify(items));
  });

  // ---- connections ----
  await op("connections.create", async () => {
    const c = await mgmt.connections.create({
      name: `node-sdk-db-${run}`,
      strategy: "auth0",
      enabled_clients: [ids.client],
      options: { passwordPolicy: "good" },
    });
    expect(c.id && c.id.startsWith("con_"), `id ${c.id}`);
    ids.conn = c.id;
  });
  for (let i = 0; i < 3; i++) {
    await op(`connections.create#${i}`, async () => {
      await mgmt.connections.create({ name: `page-db-${i}-${run}`, strategy: "auth0" });
    });
  }
  await op("connections.get", async () => {
    const c = await mgmt.connections.get(ids.conn);
    expect(c.strategy === "auth0" && c.options.passwordPolicy === "good", JSON.stringify(c));
  });
  await op("connections.update", async () => {
    const c = await mgmt.connections.update(ids.conn, { display_name: "Node DB" });
    expect(c.display_name === "Node DB", JSON.stringify(c));
  });
  await op("connections.list(paged)", async () => {
    const items = await all(mgmt.connections.list({ take: 2 }));
    expect(items.length === 5, `${items.length} connections`);
    const n = await pages(mgmt.connections.list({ take: 2 }));
    expect(n === 3, `${n} pages`);
  });
  await op("connections.list(name)", async () => {
    const items = await all(mgmt.connections.list({ name: `node-sdk-db-${run}` }));
    expect(items.length === 1 && items[0].id === ids.conn, JSON.stringify(items));
  });
  await op("connections.clients.get", async () => {
    const items = await all(mgmt.connections.clients.get(ids.conn));
    expect(items.length === 1 && items[0].client_id === ids.client, JSON.stringify(items));
  });
  await op("connections.clients.update", async () => {
    const spa = (await all(mgmt.clients.list({ app_type: "spa" })))[0];
    await mgmt.connections.clients.update(ids.conn, [
      { client_id: spa.client_id, status: true },
      { client_id: ids.client, status: false },
    ]);
    const items = await all(mgmt.connections.clients.get(ids.conn, { take: 1 }));
    expect(items.length === 1 && items[0].client_id === spa.client_id, JSON.stringify(items));
    const c = await mgmt.connections.get(ids.conn);
    expect(c.enabled_clients === undefined || c.enabled_clients.join() === spa.client_id, JSON.stringify(c.enabled_clients));
  });

  // ---- users ----
  await op("users.create", async () => {
    const u = await mgmt.users.create({
      connection: `node-sdk-db-${run}`,
      email: `ada-${run}@example.com`,
      password: "Correct-Horse-9",
      user_metadata: { lang: "en" },
    });
    expect(u.user_id && u.user_id.startsWith("auth0|"), `id ${u.user_id}`);
    ids.user = u.user_id;
  });
  for (let i = 0; i < 3; i++) {
    await op(`users.create#${i}`, async () => {
      await mgmt.users.create({ connection: `node-sdk-db-${run}`, email: `page-${i}-${run}@example.com`, password: "Correct-Horse-9" });
    });
  }
  await op("users.get", async () => {
    const u = await mgmt.users.get(ids.user);
    expect(u.email === `ada-${run}@example.com` && u.user_metadata.lang === "en", JSON.stringify(u));
  });
  await op("users.update", async () => {
    const u = await mgmt.users.update(ids.user, { name: "Ada", app_metadata: { plan: "pro" } });
    expect(u.name === "Ada" && u.app_metadata.plan === "pro", JSON.stringify(u));
  });
  await op("users.list(paged)", async () => {
    const items = await all(mgmt.users.list({ per_page: 2 }));
    expect(items.length === 4, `${items.length} users`);
    const n = await pages(mgmt.users.list({ per_page: 2 }));
    expect(n >= 2, `${n} pages`);
  });
  await op("users.list(q)", async () => {
    const items = await all(mgmt.users.list({ q: `email:"ada-${run}@example.com"`, search_engine: "v3" }));
    expect(items.length === 1 && items[0].user_id === ids.user, JSON.stringify(items));
    const pro = await all(mgmt.users.list({ q: "app_metadata.plan:pro", search_engine: "v3" }));
    expect(pro.length === 1, `${pro.length} pro users`);
  });
  await op("users.listUsersByEmail", async () => {
    const items = await mgmt.users.listUsersByEmail({ email: `ADA-${run}@example.com` });
    expect(items.length === 1 && items[0].user_id === ids.user, JSON.stringify(items));
  });

  // ---- roles, their permissions and members; a user's roles and permissions ----
  const things = { resource_server_identifier: `https://node-sdk.example/${run}`, permission_name: "read:things" };
  await op("roles.create", async () => {
    const r = await mgmt.roles.create({ name: `node-sdk-role-${run}`, description: "Node SDK role" });
    expect(/^rol_[A-Za-z0-9]{16}$/.test(r.id) && r.name === `node-sdk-role-${run}`, JSON.stringify(r));
    ids.role = r.id;
  });
  for (let i = 0; i < 3; i++) {
    await op(`roles.create#${i}`, async () => {
      await mgmt.roles.create({ name: `page-role-${i}-${run}` });
    });
  }
  await op("roles.get", async () => {
    const r = await mgmt.roles.get(ids.role);
    expect(r.id === ids.role && r.description === "Node SDK role", JSON.stringify(r));
  });
  await op("roles.update", async () => {
    const r = await mgmt.roles.update(ids.role, { description: "Updated" });
    expect(r.description === "Updated", JSON.stringify(r));
  });
  await op("roles.list(paged)", async () => {
    const items = await all(mgmt.roles.list({ per_page: 2 }));
    expect(items.length === 4, `${items.length} roles`);
    const n = await pages(mgmt.roles.list({ per_page: 2 }));
    expect(n >= 2, `${n} pages`);
    const named = await all(mgmt.roles.list({ name_filter: `NODE-SDK-ROLE-${run}` }));
    expect(named.length === 1 && named[0].id === ids.role, JSON.stringify(named));
  });
  await op("roles.permissions", async () => {
    await mgmt.roles.permissions.add(ids.role, { permissions: [things] });
    const items = await all(mgmt.roles.permissions.list(ids.role));
    expect(items.length === 1 && items[0].permission_name === "read:things" && items[0].resource_server_name === "Node SDK API", JSON.stringify(items));
  });
  await op("roles.users", async () => {
    await mgmt.roles.users.assign(ids.role, { users: [ids.user] });
    const items = await all(mgmt.roles.users.list(ids.role));
    expect(items.length === 1 && items[0].user_id === ids.user && items[0].email === `ada-${run}@example.com`, JSON.stringify(items));
  });
  await op("users.roles", async () => {
    const items = await all(mgmt.users.roles.list(ids.user));
    expect(items.length === 1 && items[0].id === ids.role, JSON.stringify(items));
  });
  await op("users.permissions", async () => {
    await mgmt.users.permissions.create(ids.user, { permissions: [things] });
    const items = await all(mgmt.users.permissions.list(ids.user));
    // One permission, given directly and through the role.
    expect(items.length === 1 && items[0].permission_name === "read:things", JSON.stringify(items));
    await mgmt.users.permissions.delete(ids.user, { permissions: [things] });
    await mgmt.users.roles.delete(ids.user, { roles: [ids.role] });
    const left = await all(mgmt.users.permissions.list(ids.user));
    expect(left.length === 0, JSON.stringify(left));
    await mgmt.roles.permissions.delete(ids.role, { permissions: [things] });
    const none = await all(mgmt.roles.permissions.list(ids.role));
    expect(none.length === 0, JSON.stringify(none));
  });

  // ---- client credentials (private_key_jwt public keys) ----
  await op("clients.credentials", async () => {
    const pem = process.env.SDK_TEST_PUBLIC_KEY;
    const cred = await mgmt.clients.credentials.create(ids.client, { credential_type: "public_key", name: "sdk key", pem });
    expect(cred.id && cred.id.startsWith("cred_") && cred.kid, JSON.stringify(cred));
    const listed = await mgmt.clients.credentials.list(ids.client);
    expect(listed.length === 1 && listed[0].id === cred.id, JSON.stringify(listed));
    const got = await mgmt.clients.credentials.get(ids.client, cred.id);
    expect(got.name === "sdk key", JSON.stringify(got));
    await mgmt.clients.credentials.update(ids.client, cred.id, { expires_at: "2099-01-01T00:00:00.000Z" });
    await mgmt.clients.credentials.delete(ids.client, cred.id);
    expect((await mgmt.clients.credentials.list(ids.client)).length === 0, "credential still listed");
  });

  // ---- tenant settings ----
  await op("tenants.settings", async () => {
    const before = await mgmt.tenants.settings.get();
    expect(before.flags && before.flags.enable_sso === true && before.session_lifetime === 168, JSON.stringify(before));
    const after = await mgmt.tenants.settings.update({ friendly_name: "Node SDK tenant" });
    expect(after.friendly_name === "Node SDK tenant", JSON.stringify(after));
  });

  // ---- what an empty tenant has none of: lists that answer empty ----
  const empty = {
    "actions.list": () => all(mgmt.actions.list()),
    "rules.list": () => all(mgmt.rules.list()),
    "organizations.list": () => all(mgmt.organizations.list()),
    "logs.list": () => all(mgmt.logs.list()),
    "customDomains.list": () => mgmt.customDomains.list(),
    "connections.directoryProvisioning.list": () => all(mgmt.connections.directoryProvisioning.list()),
  };
  for (const [name, fn] of Object.entries(empty)) {
    await op(name, async () => {
      const items = await fn();
      expect(Array.isArray(items) && items.length === 0, JSON.stringify(items));
    });
  }

  // ---- deletes, and their 404s ----
  await op("users.delete", async () => {
    await mgmt.users.delete(ids.user);
    const left = await mgmt.users.listUsersByEmail({ email: `ada-${run}@example.com` });
    expect(left.length === 0, "user still there");
  });
  await op("roles.delete", async () => {
    await mgmt.roles.delete(ids.role);
    await notFound(() => mgmt.roles.get(ids.role));
  });
  await op("clientGrants.delete", async () => {
    await mgmt.clientGrants.delete(ids.grant);
    await notFound(() => mgmt.clientGrants.get(ids.grant));
  });
  await op("connections.delete", async () => {
    await mgmt.connections.delete(ids.conn);
    await notFound(() => mgmt.connections.get(ids.conn));
  });
  await op("clients.delete", async () => {
    await mgmt.clients.delete(ids.client);
    await notFound(() => mgmt.clients.get(ids.client));
  });
  await op("resourceServers.delete", async () => {
    await mgmt.resourceServers.delete(ids.rs);
    await notFound(() => mgmt.resourceServers.get(ids.rs));
  });

  console.log(`summary ${passed}/${total}`);
  process.exitCode = passed === total ? 0 : 1;
}

async function notFound(fn) {
  try {
    await fn();
  } catch (e) {
    expect(e.statusCode === 404, `status ${e.statusCode}`);
    return;
  }
  throw new Error("still found");
}

main().catch((e) => {
  console.log(`FAIL main: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
});
