// A park's partner page over the Ganbridge GraphQL API: the park, its companies (with a search
// over them) and the open tenders. Plain ES2020, no framework, no build step.
//
// Every call is a GET with an automatic persisted query (Apollo's protocol): the query's
// SHA-256 alone first, its text as well only when Ganbridge answers `PersistedQueryNotFound`.
// The URLs are then short and stable, so the browser cache or a CDN can keep the answers for
// as long as Ganbridge's Cache-Control allows.

"use strict";

// ---------------------------------------------------------------------------------------------
// The GraphQL documents. Their exact text is what is hashed: change a character and the hash
// changes (Ganbridge then learns the new text on first use).

const FIRST_PARK_QUERY = `query PartnerFirstPark {
  parks(first: 1) {
    nodes { id }
  }
}`;

const PARK_QUERY = `query PartnerPark($park: ID!, $first: Int!, $after: String) {
  park(id: $park) {
    id
    name
    nameZh
    website
    totals { companies employees }
    companies(first: $first, after: $after) {
      totalCount
      nodes { id name nameZh headcount website serviceLines }
      pageInfo { hasNextPage endCursor }
    }
  }
  serviceLines { line name nameZh }
}`;

const SEARCH_QUERY = `query PartnerSearchCompanies($q: String!, $park: ID!, $first: Int!) {
  search(query: $q, types: [COMPANY], filter: { parks: [$park] }, first: $first) {
    totalHits
    edges {
      highlights { field snippet }
      node {
        ... on Company { id name nameZh headcount website serviceLines }
      }
    }
  }
}`;

const TENDERS_QUERY = `query PartnerOpenTenders {
  tenders(first: 20, filter: { status: ACTIVE }) {
    totalCount
    nodes {
      id
      title
      titleZh
      closesAt
      value { amount currency }
      buyer { name nameZh }
      ocdsRecordUrl
    }
  }
}`;

const DEFAULT_API = "http://127.0.0.1:8080";
const COMPANIES_PAGE = 24;
const HITS_PAGE = 20;
const SEARCH_DELAY_MS = 350;

// Ganbridge's snippets are the field's text HTML-escaped (`&amp; &lt; &gt; &quot; &#39;`)
// with `<em>`/`</em>` around the matched words; a snippet only ever becomes text nodes and
// `<em>` elements here, never markup.

// ---------------------------------------------------------------------------------------------
// Configuration: ?api=...&park=... in the page URL, else data-api / data-park on <main>.

const main = document.querySelector("main");
const params = new URLSearchParams(window.location.search);
const config = {
  api: (params.get("api") || main.dataset.api || DEFAULT_API).trim(),
  park: (params.get("park") || main.dataset.park || "").trim(),
  // A search to run once the park is shown: ?q=... (also what the form sends without script).
  q: (params.get("q") || "").trim(),
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// GraphQL by GET with automatic persisted queries.

class NetworkError extends Error {}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

class GraphQLErrors extends Error {
  constructor(errors) {
    const first = errors[0] || {};
    const code = first.extensions && first.extensions.code;
    super(code ? `${first.message} (${code})` : String(first.message));
    this.errors = errors;
  }
}

/** The endpoint, `<api>/graphql`, keeping any path the API base has. */
function endpoint(api) {
  const base = new URL(api.endsWith("/") ? api : `${api}/`);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new Error(`the API address must start with http:// or https:// (got ${api})`);
  }
  return new URL("graphql", base);
}

const hashes = new Map();

/** The SHA-256 of `text` as lowercase hex, or null where Web Crypto is unavailable. */
async function sha256Hex(text) {
  if (!hashes.has(text)) {
    // crypto.subtle exists only in secure contexts: https pages, and http://localhost or
    // http://127.0.0.1 during development.
    const subtle = window.crypto && window.crypto.subtle;
    const hex = subtle
      ? subtle.digest("SHA-256", new TextEncoder().encode(text)).then((digest) =>
          Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
        )
      : Promise.resolve(null);
    hashes.set(text, hex);
  }
  return hashes.get(text);
}

/** Whether the answer says the server does not know the hash (it sends the text next). */
function persistedQueryNotFound(body) {
  return (
    Array.isArray(body && body.errors) &&
    body.errors.some(
      (e) =>
        e.message === "PersistedQueryNotFound" ||
        (e.extensions && e.extensions.code === "PERSISTED_QUERY_NOT_FOUND"),
    )
  );
}

/** One GET to /graphql with these parameters (in this order, so the URL stays stable). */
async function get(url, fields, signal) {
  const target = new URL(url);
  for (const [name, value] of fields) {
    if (value !== undefined) target.searchParams.set(name, value);
  }
  let response;
  try {
    response = await fetch(target, {
      method: "GET",
      mode: "cors",
      credentials: "omit",
      headers: { Accept: "application/json" },
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new NetworkError(error.message);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  if (!response.ok && !persistedQueryNotFound(body)) {
    if (body && Array.isArray(body.errors) && body.errors.length) {
      throw new GraphQLErrors(body.errors);
    }
    const retry = response.headers.get("Retry-After");
    throw new HttpError(
      response.status,
      `Ganbridge answered HTTP ${response.status}${retry ? ` (retry after ${retry} s)` : ""}`,
    );
  }
  if (!body || typeof body !== "object") {
    throw new HttpError(response.status, "Ganbridge's answer was not JSON");
  }
  return body;
}

/**
 * Runs `query` with `variables` by GET: the hash alone first; on `PersistedQueryNotFound`,
 * the text with its hash, which registers it. Answers `data`; throws on any error.
 */
async function graphql(query, variables, signal) {
  const url = endpoint(config.api);
  const vars = variables && Object.keys(variables).length ? JSON.stringify(variables) : undefined;
  const hash = await sha256Hex(query);
  let body;
  if (hash) {
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });
    body = await get(url, [["variables", vars], ["extensions", extensions]], signal);
    if (persistedQueryNotFound(body)) {
      body = await get(
        url,
        [["query", query], ["variables", vars], ["extensions", extensions]],
        signal,
      );
    }
  } else {
    // No Web Crypto (a plain-http page): the text itself, by GET all the same.
    body = await get(url, [["query", query], ["variables", vars]], signal);
  }
  if (Array.isArray(body.errors) && body.errors.length) {
    throw new GraphQLErrors(body.errors);
  }
  return body.data;
}

// ---------------------------------------------------------------------------------------------
// Building the DOM from API text: textContent and createElement only.

function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.lang) node.lang = options.lang;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** A link for a website, only when it is an absolute http(s) address; else null. */
function safeUrl(value) {
  if (typeof value !== "string" || !/^https?:\/\//i.test(value)) return null;
  try {
    return new URL(value).href;
  } catch (_) {
    return null;
  }
}

function link(href, text) {
  const url = safeUrl(href);
  if (!url) return null;
  return el("a", { text, attrs: { href: url, rel: "noopener noreferrer external" } });
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/** Decodes the five entities an HTML escaper writes, in one pass (never twice). */
function unescapeEntities(text) {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name) => ENTITIES[name]);
}

/**
 * A highlight snippet as DOM: split on `<em>` and `</em>`, every piece a text node, the marked
 * pieces inside `<em>` elements. Nothing in the snippet is ever parsed as HTML.
 */
function snippetNodes(snippet) {
  const fragment = document.createDocumentFragment();
  let marked = false;
  for (const piece of String(snippet).split(/(<em>|<\/em>)/)) {
    if (piece === "<em>") {
      marked = true;
    } else if (piece === "</em>") {
      marked = false;
    } else if (piece) {
      const text = document.createTextNode(unescapeEntities(piece));
      fragment.append(marked ? el("em", {}, text) : text);
    }
  }
  return fragment;
}

const numbers = new Intl.NumberFormat("en");
const closing = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Asia/Shanghai",
});

function formatMoney(value) {
  if (!value) return "not disclosed";
  try {
    // A decimal string is formatted exactly where the browser supports it.
    return new Intl.NumberFormat("en", {
      style: "currency",
      currency: value.currency,
      currencyDisplay: "code",
    }).format(value.amount);
  } catch (_) {
    return `${value.amount} ${value.currency}`;
  }
}

let serviceLineNames = new Map();

/** A service line's English name ("Software development"), from the reference list. */
function serviceLineName(line) {
  const words = serviceLineNames.get(line) || String(line).toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One company's card; `highlights` (from a search hit) mark the matched words. */
function companyItem(company, highlights = []) {
  const marked = new Map(highlights.map((h) => [h.field, h.snippet]));
  const nameEn = marked.has("name_en") ? snippetNodes(marked.get("name_en")) : company.name;
  const nameZh = marked.has("name_zh") ? snippetNodes(marked.get("name_zh")) : company.nameZh;
  const website = safeUrl(company.website);
  const title = el("h3", { className: "name" });
  if (website) {
    title.append(el("a", { attrs: { href: website, rel: "noopener noreferrer external" } }, nameEn));
  } else {
    title.append(nameEn);
  }
  const item = el(
    "li",
    { className: "card company" },
    title,
    company.nameZh ? el("p", { className: "zh", lang: "zh" }, nameZh) : null,
    el("p", {
      className: "meta",
      text: `${numbers.format(company.headcount)} ${company.headcount === 1 ? "employee" : "employees"}`,
    }),
  );
  if (company.serviceLines && company.serviceLines.length) {
    const lines = el("ul", { className: "tags", attrs: { "aria-label": "Service lines" } });
    for (const line of company.serviceLines) {
      lines.append(el("li", { text: serviceLineName(line) }));
    }
    item.append(lines);
  }
  for (const field of ["description_en", "description_zh"]) {
    if (marked.has(field)) {
      item.append(
        el(
          "p",
          { className: "snippet", lang: field.endsWith("_zh") ? "zh" : "en" },
          snippetNodes(marked.get(field)),
        ),
      );
    }
  }
  return item;
}

function tenderItem(tender) {
  const closes = new Date(tender.closesAt);
  const details = el(
    "dl",
    { className: "details" },
    el("dt", { text: "Buyer" }),
    el(
      "dd",
      {},
      el("span", { text: tender.buyer.name }),
      tender.buyer.nameZh ? el("span", { className: "zh", lang: "zh", text: tender.buyer.nameZh }) : null,
    ),
    el("dt", { text: "Closes" }),
    el(
      "dd",
      {},
      el("time", {
        attrs: { datetime: tender.closesAt },
        text: Number.isNaN(closes.getTime()) ? tender.closesAt : `${closing.format(closes)} Beijing time`,
      }),
    ),
    el("dt", { text: "Value" }),
    el("dd", { text: formatMoney(tender.value) }),
  );
  const record = link(tender.ocdsRecordUrl, "Open-data record (OCDS)");
  return el(
    "li",
    { className: "card tender" },
    el("h3", { className: "name", text: tender.title }),
    tender.titleZh ? el("p", { className: "zh", lang: "zh", text: tender.titleZh }) : null,
    details,
    record ? el("p", { className: "record" }, record) : null,
  );
}

// ---------------------------------------------------------------------------------------------
// Errors and the page's state.

const failures = new Map();

function describe(error) {
  if (error instanceof NetworkError) {
    const origin = window.location.origin === "null" ? "a file:// page" : window.location.origin;
    return (
      `Ganbridge could not be reached from this page's origin (${origin}): is it on the ` +
      `server's CORS allow-list (GANBRIDGE_CORS_ALLOWED_ORIGINS)? Is Ganbridge running at ` +
      `${config.api}, and reachable from here (an https page cannot call an http address)?`
    );
  }
  if (error instanceof GraphQLErrors) return `Ganbridge answered: ${error.message}`;
  return error && error.message ? error.message : String(error);
}

function renderErrors() {
  const box = $("error");
  // Each message once: loads that fail for the same reason say it together.
  const messages = new Set(failures.values());
  box.replaceChildren(...Array.from(messages, (message) => el("p", { text: message })));
}

function failed(source, error) {
  failures.set(source, describe(error));
  renderErrors();
}

function succeeded(source) {
  if (failures.delete(source)) renderErrors();
}

let pending = 0;

/** Runs one load, with `data-state` on <main>: "loading" meanwhile, then "ready" or "error". */
async function load(source, task) {
  pending += 1;
  main.dataset.state = "loading";
  main.setAttribute("aria-busy", "true");
  try {
    await task();
    succeeded(source);
  } catch (error) {
    if (error.name !== "AbortError") failed(source, error);
  } finally {
    pending -= 1;
    if (pending === 0) {
      main.dataset.state = failures.size ? "error" : "ready";
      main.setAttribute("aria-busy", "false");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The park and its companies.

let parkId = "";
let nextCompanies = null;
let companiesSummary = "";

function showPark(park) {
  document.title = `${park.name} · Jiangxi service outsourcing`;
  $("park-name").textContent = park.name;
  $("park-name-zh").textContent = park.nameZh;
  $("park-facts").textContent =
    `${numbers.format(park.totals.companies)} companies · ` +
    `${numbers.format(park.totals.employees)} employees`;
  const site = link(park.website, "The park's website");
  $("park-website").replaceChildren(...(site ? [site] : []));
}

function showCompanies(connection, append) {
  const list = $("companies");
  const items = connection.nodes.map((company) => companyItem(company));
  if (append) list.append(...items);
  else list.replaceChildren(...items);
  nextCompanies = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  $("more-companies").hidden = !nextCompanies;
  companiesSummary = connection.totalCount
    ? `${numbers.format(list.children.length)} of ${numbers.format(connection.totalCount)} companies`
    : "No companies are recorded in this park yet.";
  if ($("hits").hidden) $("companies-status").textContent = companiesSummary;
}

async function loadPark() {
  if (!config.park) {
    const data = await graphql(FIRST_PARK_QUERY);
    const first = data.parks.nodes[0];
    if (!first) throw new Error("Ganbridge lists no parks.");
    config.park = first.id;
  }
  parkId = config.park;
  const data = await graphql(PARK_QUERY, { park: parkId, first: COMPANIES_PAGE, after: null });
  serviceLineNames = new Map(data.serviceLines.map((s) => [s.line, s.name]));
  showPark(data.park);
  showCompanies(data.park.companies, false);
  $("q").disabled = false;
  $("search-button").disabled = false;
  if (config.q) {
    $("q").value = config.q;
    startSearch(true);
  }
}

async function loadMoreCompanies() {
  if (!nextCompanies) return;
  const data = await graphql(PARK_QUERY, {
    park: parkId,
    first: COMPANIES_PAGE,
    after: nextCompanies,
  });
  showCompanies(data.park.companies, true);
}

// ---------------------------------------------------------------------------------------------
// Search.

let searchTimer = 0;
let searchRun = null;

function clearSearch() {
  if (searchRun) searchRun.abort();
  searchRun = null;
  $("hits").hidden = true;
  $("hits").replaceChildren();
  $("companies").hidden = false;
  $("more-companies").hidden = !nextCompanies;
  $("companies-status").textContent = companiesSummary;
}

async function search(words) {
  if (searchRun) searchRun.abort();
  const run = new AbortController();
  searchRun = run;
  const data = await graphql(
    SEARCH_QUERY,
    { q: words, park: parkId, first: HITS_PAGE },
    run.signal,
  );
  if (searchRun !== run) return;
  const edges = data.search.edges.filter((edge) => edge.node && edge.node.id);
  $("hits").replaceChildren(...edges.map((edge) => companyItem(edge.node, edge.highlights)));
  $("hits").hidden = false;
  $("companies").hidden = true;
  $("more-companies").hidden = true;
  const total = data.search.totalHits;
  $("companies-status").textContent =
    total === 0
      ? `No company of the park matches “${words}”.`
      : `${numbers.format(total)} ${total === 1 ? "company matches" : "companies match"} “${words}”` +
        (total > edges.length ? ` (the first ${edges.length} shown).` : ".");
}

function startSearch(now) {
  window.clearTimeout(searchTimer);
  const words = $("q").value.trim();
  if (!words) {
    clearSearch();
    succeeded("search");
    return;
  }
  const go = () => load("search", () => search(words));
  if (now) go();
  else searchTimer = window.setTimeout(go, SEARCH_DELAY_MS);
}

// ---------------------------------------------------------------------------------------------
// Tenders.

async function loadTenders() {
  const data = await graphql(TENDERS_QUERY);
  const { nodes, totalCount } = data.tenders;
  $("tenders").replaceChildren(...nodes.map(tenderItem));
  $("tenders-status").textContent =
    totalCount === 0
      ? "No tender is open at the moment."
      : `${numbers.format(totalCount)} open ${totalCount === 1 ? "tender" : "tenders"}, soonest closing first` +
        (totalCount > nodes.length ? ` (the first ${nodes.length} shown).` : ".");
}

// ---------------------------------------------------------------------------------------------
// Start.

function start() {
  try {
    $("api-link").href = endpoint(config.api).href;
  } catch (error) {
    failed("config", error);
    main.dataset.state = "error";
    main.setAttribute("aria-busy", "false");
    $("park-name").textContent = "Our park";
    return;
  }
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    startSearch(true);
  });
  $("q").addEventListener("input", () => startSearch(false));
  $("more-companies").addEventListener("click", () => load("companies", loadMoreCompanies));
  load("park", () =>
    loadPark().catch((error) => {
      $("park-name").textContent = "Our park";
      throw error;
    }),
  );
  load("tenders", loadTenders);
}

start();
