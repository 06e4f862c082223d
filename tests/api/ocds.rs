//! Open data in OCDS 1.1: a whole lifecycle through the API, then every page, record and bulk
//! file it publishes checked by the Open Contracting Partnership's own validator (libcoveocds,
//! offline, `../shared/ocds/validate.py`), its compiled releases compared with `ocdskit
//! compile`'s, and every published byte searched for what must stay confidential.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::helpers::{TestApp, loud_skip};
use crate::world::{PUBLISH_TENDER, SUBMIT_BID, Who, World};

/// The validator's folder and a Python with its requirements.
pub struct Tools {
    pub dir: PathBuf,
    pub python: PathBuf,
}

/// Finds the validator (`GANBRIDGE_OCDS_TOOLS`, or `../shared/ocds` beside the checkout) and
/// makes its Python environment under `target/` when missing, from its pinned requirements.
pub fn tools(test: &str) -> Option<Tools> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("GANBRIDGE_OCDS_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/ocds"));
    if !dir.join("validate.py").exists() {
        loud_skip(
            test,
            &format!(
                "no OCDS validator at {} (set GANBRIDGE_OCDS_TOOLS)",
                dir.display()
            ),
        );
        return None;
    }
    let venv = root.join("target/ocds-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        // Made aside and moved into place whole: tests running at once never see half of one.
        let partial = root.join(format!("target/ocds-venv.{}", std::process::id()));
        let made = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&partial)
            .status()
            .is_ok_and(|s| s.success())
            && std::process::Command::new(partial.join("bin/pip"))
                .args(["install", "-q", "-r"])
                .arg(dir.join("requirements.txt"))
                .status()
                .is_ok_and(|s| s.success());
        assert!(made, "making the OCDS tools' Python environment failed");
        if std::fs::rename(&partial, &venv).is_err() {
            let _ = std::fs::remove_dir_all(&partial);
        }
    }
    Some(Tools { dir, python })
}

impl Tools {
    /// Runs the validator on one package; answers its findings (empty when it passes).
    pub fn validate(&self, name: &str, package: &[u8]) -> Vec<String> {
        let file = tempfile::Builder::new()
            .suffix(".json")
            .tempfile()
            .expect("a temporary file");
        std::fs::write(file.path(), package).expect("writing the package");
        let out = std::process::Command::new(&self.python)
            .arg(self.dir.join("validate.py"))
            .arg("--standard-zip")
            .arg(self.dir.join("standard-1__1__5.zip"))
            .arg("--extensions-dir")
            .arg(self.dir.join("extensions"))
            .args(["--allow-additional", "/links"])
            .arg(file.path())
            .output()
            .expect("running validate.py");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() && stderr.trim() == "OK" {
            Vec::new()
        } else {
            vec![format!("{name}: {stderr}")]
        }
    }

    /// The release schema of OCDS 1.1.5, taken out of the standard's zip.
    fn release_schema(&self, into: &Path) -> PathBuf {
        let status = std::process::Command::new(&self.python)
            .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); n = [n for n in z.namelist() if n.endswith('schema/release-schema.json')][0]; open(sys.argv[2], 'wb').write(z.read(n))"])
            .arg(self.dir.join("standard-1__1__5.zip"))
            .arg(into.join("release-schema.json"))
            .status()
            .expect("running python");
        assert!(status.success(), "extracting the release schema");
        into.join("release-schema.json")
    }

    /// `ocdskit compile` over a release package: the compiled release of each ocid.
    pub fn compile(&self, package: &Value) -> Vec<Value> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let schema = self.release_schema(dir.path());
        let input = dir.path().join("releases.json");
        std::fs::write(&input, serde_json::to_vec(package).unwrap()).unwrap();
        let out = std::process::Command::new(&self.python)
            .args(["-m", "ocdskit", "compile", "--schema"])
            .arg(&schema)
            .stdin(std::fs::File::open(&input).unwrap())
            .output()
            .expect("running ocdskit compile");
        assert!(
            out.status.success(),
            "ocdskit compile failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a compiled release"))
            .collect()
    }
}

/// Everything the open-data endpoints publish, by name: every page of releases and records
/// (followed by `links.next`), each tender's releases and record, the bulk index and every
/// bulk file (uncompressed).
pub async fn published(app: &TestApp, ocids: &[String]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for start in ["/ocds/releases?limit=4", "/ocds/records?limit=2"] {
        let mut next = Some(format!("{}{start}", app.address));
        while let Some(url) = next.take() {
            let response = app.client.get(&url).send().await.unwrap();
            assert_eq!(response.status(), 200, "{url}");
            let bytes = response.bytes().await.unwrap().to_vec();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            next = body["links"]["next"].as_str().map(str::to_owned);
            out.push((url, bytes));
        }
    }
    for ocid in ocids {
        for path in [
            format!("/ocds/releases/{ocid}"),
            format!("/ocds/records/{ocid}"),
        ] {
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            out.push((path, response.bytes().await.unwrap().to_vec()));
        }
    }
    let index = app.get("/ocds/bulk").await;
    assert_eq!(index.status(), 200);
    let index_bytes = index.bytes().await.unwrap().to_vec();
    let index: Value = serde_json::from_slice(&index_bytes).unwrap();
    for kind in ["releases", "records"] {
        for file in index[kind].as_array().unwrap() {
            let url = file["url"].as_str().unwrap();
            let response = app.client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200, "{url}");
            assert!(response.headers().get("etag").is_some());
            assert!(response.headers().get("last-modified").is_some());
            let gz = response.bytes().await.unwrap();
            assert_eq!(gz.len() as u64, file["size"].as_u64().unwrap(), "{url}");
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut plain)
                .expect("a whole gzip file");
            let body: Value = serde_json::from_slice(&plain).expect("a whole package");
            assert_eq!(
                body[kind].as_array().unwrap().len() as u64,
                file["count"].as_u64().unwrap(),
                "{url}"
            );
            out.push((url.to_owned(), plain));
        }
    }
    out.push(("/ocds/bulk".into(), index_bytes));
    out
}

const UPDATE_TENDER: &str =
    "mutation($input: UpdateTenderInput!) { updateTender(input: $input) { id } }";
const CLOSE_TENDER: &str =
    "mutation($input: CloseTenderInput!) { closeTender(input: $input) { id status } }";
const LOSING_PROPOSAL: &str = "Confidential approach: reuse our Jiujiang core-banking kit";
const LOSING_AMOUNT: &str = "987654.32";
const WITHDRAWN_AMOUNT: &str = "555444.33";

/// A bid with its amount and proposal; answers its ID.
async fn bid(
    w: &World,
    key: &str,
    tender: &str,
    amount: &str,
    proposal: &str,
    alliance: Option<&str>,
) -> String {
    let (_, body) = w
        .app
        .graphql_as(
            Some(key),
            SUBMIT_BID,
            json!({ "input": {
                "tenderId": tender,
                "amount": { "amount": amount, "currency": "CNY" },
                "proposal": proposal,
                "allianceId": alliance,
            } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "bid refused: {body:#}");
    body["data"]["submitBid"]["id"].as_str().unwrap().to_owned()
}

/// The lifecycle: a tender amended while planned and while open, one cancelled, one closed
/// without an award, one awarded to an alliance, one to a single company (with a losing and a
/// withdrawn bid). Answers the tenders' ocids, in that order.
async fn lifecycle(w: &World) -> Vec<String> {
    let amended = w
        .tender(Who::CounterpartX, false, json!({ "minEmployees": 50 }))
        .await;
    w.ok(
        Who::CounterpartX,
        UPDATE_TENDER,
        json!({ "input": { "id": amended, "title": "Mobile banking app (Android and iOS)",
                           "descriptionZh": "开发并测试手机银行应用。",
                           "serviceLines": ["SOFTWARE_DEVELOPMENT", "SOFTWARE_TESTING"] } }),
    )
    .await;
    w.ok(Who::CounterpartX, PUBLISH_TENDER, json!({ "id": amended }))
        .await;
    w.ok(
        Who::CounterpartX,
        UPDATE_TENDER,
        json!({ "input": { "id": amended, "description": "Build, test and launch a mobile banking app.",
                           "descriptionZh": "", "value": null, "serviceLines": ["SOFTWARE_TESTING"],
                           "rationale": "The launch is part of the work" } }),
    )
    .await;

    let cancelled = w.tender(Who::CounterpartX, true, json!({})).await;
    w.ok(
        Who::CounterpartX,
        "mutation($id: ID!) { cancelTender(id: $id) { id } }",
        json!({ "id": cancelled }),
    )
    .await;

    let unsuccessful = w.tender(Who::CounterpartY, true, json!({})).await;
    bid(w, &w.key_b, &unsuccessful, "1000000.00", "Our offer", None).await;
    w.ok(
        Who::CounterpartY,
        CLOSE_TENDER,
        json!({ "input": { "tenderId": unsuccessful } }),
    )
    .await;

    // C leads an alliance with B.
    let (_, created) = w
        .app
        .graphql_as(
            Some(&w.key_c),
            crate::authorization::CREATE_ALLIANCE,
            json!({ "input": {
                "name": "Gan-Jiu Alliance", "nameZh": "赣九联盟",
                "members": [ { "companyId": w.c, "share": "73.25" }, { "companyId": w.b, "share": "26.75" } ],
            } }),
        )
        .await;
    let alliance = created["data"]["createAlliance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, accepted) = w
        .app
        .graphql_as(
            Some(&w.key_b),
            "mutation($id: ID!) { acceptAllianceInvitation(id: $id) { id } }",
            json!({ "id": alliance }),
        )
        .await;
    assert!(accepted.get("errors").is_none(), "{accepted}");
    let to_alliance = w
        .tender(
            Who::CounterpartX,
            true,
            json!({ "certifications": ["CMMI_DEV"] }),
        )
        .await;
    let won = bid(
        w,
        &w.key_c,
        &to_alliance,
        "1200000.00",
        "Together we build it",
        Some(&alliance),
    )
    .await;
    w.ok(
        Who::CounterpartX,
        CLOSE_TENDER,
        json!({ "input": { "tenderId": to_alliance, "awardedBidId": won } }),
    )
    .await;

    let to_company = w.tender(Who::CounterpartY, true, json!({})).await;
    let winning = bid(
        w,
        &w.key_a,
        &to_company,
        "1100000.00",
        "We will build it in six months.",
        None,
    )
    .await;
    bid(
        w,
        &w.key_c,
        &to_company,
        LOSING_AMOUNT,
        LOSING_PROPOSAL,
        None,
    )
    .await;
    let withdrawn = bid(
        w,
        &w.key_b,
        &to_company,
        WITHDRAWN_AMOUNT,
        "Withdrawn offer",
        None,
    )
    .await;
    w.ok(
        Who::CompanyB,
        "mutation($id: ID!) { withdrawBid(id: $id) { id } }",
        json!({ "id": withdrawn }),
    )
    .await;
    w.ok(
        Who::CounterpartY,
        CLOSE_TENDER,
        json!({ "input": { "tenderId": to_company, "awardedBidId": winning } }),
    )
    .await;

    let mut ocids = Vec::new();
    for id in [
        &amended,
        &cancelled,
        &unsuccessful,
        &to_alliance,
        &to_company,
    ] {
        let data = w
            .ok(
                Who::Anonymous,
                "query($id: ID!) { node(id: $id) { ... on Tender { ocid ocdsRecordUrl } } }",
                json!({ "id": id }),
            )
            .await;
        let ocid = data["node"]["ocid"].as_str().unwrap().to_owned();
        assert_eq!(
            data["node"]["ocdsRecordUrl"],
            format!("{}/ocds/records/{ocid}", w.app.address)
        );
        ocids.push(ocid);
    }
    ocids
}

async fn record(app: &TestApp, ocid: &str) -> Value {
    let response = app.get(&format!("/ocds/records/{ocid}")).await;
    assert_eq!(response.status(), 200);
    let package: Value = response.json().await.unwrap();
    package["records"][0].clone()
}

fn tags(record: &Value) -> Vec<String> {
    record["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["tag"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_lifecycle_is_published_and_validates_clean() {
    let Some(tools) = tools("OCDS validation") else {
        return;
    };
    let w = World::new().await;
    let ocids = lifecycle(&w).await;

    // What each record says.
    let amended = record(&w.app, &ocids[0]).await;
    assert_eq!(
        tags(&amended),
        ["planning", "planningUpdate", "tender", "tenderAmendment"]
    );
    let releases = amended["releases"].as_array().unwrap();
    let amendment = &releases[3]["tender"]["amendments"][0];
    assert_eq!(amendment["amendsReleaseID"], releases[2]["id"]);
    assert_eq!(amendment["releaseID"], releases[3]["id"]);
    assert_eq!(amendment["rationale"], "The launch is part of the work");
    assert_eq!(
        releases[1]["tender"]["title"],
        "Mobile banking app (Android and iOS)"
    );
    assert_eq!(
        amended["compiledRelease"]["tender"]["eligibilityCriteria"],
        "Bidders must employ at least 50 people."
    );
    assert_eq!(amended["compiledRelease"]["tender"]["status"], "active");
    // What the amendment took away is gone from the compiled release, not kept from before.
    let tender = &amended["compiledRelease"]["tender"];
    assert_eq!(
        releases[1]["tender"]["description_zh"],
        "开发并测试手机银行应用。"
    );
    assert!(releases[2]["tender"]["value"]["amount"].is_number());
    assert!(tender.get("value").is_none(), "{tender:#}");
    assert!(tender.get("description_zh").is_none(), "{tender:#}");
    let lines: Vec<&str> = tender["items"][0]["additionalClassifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(lines, ["SOFTWARE_TESTING"], "{tender:#}");
    assert_eq!(
        tender["items"][0]["classification"]["id"],
        "SOFTWARE_TESTING"
    );
    assert!(
        releases.iter().all(|r| r.get("bids").is_none()),
        "nothing of an open tender's bids"
    );

    let cancelled = record(&w.app, &ocids[1]).await;
    assert_eq!(
        tags(&cancelled),
        ["planning", "tender", "tenderCancellation"]
    );
    assert_eq!(
        cancelled["compiledRelease"]["tender"]["status"],
        "cancelled"
    );

    let unsuccessful = record(&w.app, &ocids[2]).await;
    assert_eq!(tags(&unsuccessful), ["planning", "tender", "tenderUpdate"]);
    let compiled = &unsuccessful["compiledRelease"];
    assert_eq!(compiled["tender"]["status"], "unsuccessful");
    assert_eq!(compiled["bids"]["statistics"][0]["value"], 1);
    assert!(compiled.get("awards").is_none());
    assert_eq!(
        compiled["parties"].as_array().unwrap().len(),
        1,
        "the buyer only"
    );

    let to_alliance = record(&w.app, &ocids[3]).await;
    assert_eq!(
        tags(&to_alliance),
        ["planning", "tender", "tenderUpdate+award"]
    );
    let compiled = &to_alliance["compiledRelease"];
    let award = &compiled["awards"][0];
    assert_eq!(
        award["value"],
        json!({ "amount": 1_200_000.0, "currency": "CNY" })
    );
    let suppliers: Vec<&str> = award["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        suppliers,
        ["Company C", "Company B"],
        "all members, lead first"
    );
    let roles = |name: &str| -> Value {
        compiled["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["roles"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        roles("Company C"),
        json!(["tenderer", "supplier", "leadTenderer"])
    );
    assert_eq!(roles("Company B"), json!(["tenderer", "supplier"]));
    assert_eq!(roles("Counterpart X"), json!(["buyer", "procuringEntity"]));
    let buyer = compiled["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Counterpart X")
        .unwrap();
    assert!(
        buyer["address"]["region"].as_str().is_some(),
        "the buyer's FTZ area: {buyer}"
    );

    let to_company = record(&w.app, &ocids[4]).await;
    let compiled = &to_company["compiledRelease"];
    assert_eq!(compiled["awards"][0]["suppliers"][0]["name"], "Company A");
    assert_eq!(compiled["awards"][0]["value"]["amount"], 1_100_000.0);
    assert_eq!(
        compiled["bids"]["statistics"][0]["value"], 2,
        "two bids; the withdrawn one is not counted"
    );
    // The losing bidder (C) and the one that withdrew (B) are named nowhere in this record.
    for release in to_company["releases"]
        .as_array()
        .unwrap()
        .iter()
        .chain([compiled])
    {
        let text = release.to_string();
        assert!(
            !text.contains("Company C") && !text.contains("Company B"),
            "a bidder that did not win is named: {release:#}"
        );
    }
    let parties: Vec<&str> = compiled["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(parties, ["Counterpart Y", "Company A"]);

    // An alliance's membership changing after it won leaves the record as it was.
    use sea_orm::ConnectionTrait;
    w.app
        .db
        .execute_unprepared("DELETE FROM alliance_member WHERE share_basis_points = 2675")
        .await
        .unwrap();
    assert_eq!(record(&w.app, &ocids[3]).await, to_alliance);

    // Every page, record and bulk file passes the validator.
    let published = published(&w.app, &ocids).await;
    let mut findings = Vec::new();
    for (name, bytes) in &published {
        if name != "/ocds/bulk" {
            findings.extend(tools.validate(name, bytes));
        }
    }
    assert!(findings.is_empty(), "on {}: {findings:#?}", w.app.store);

    // Confidential: no proposal, no losing or withdrawn amount, no share, no key. (Amounts and
    // shares are searched with their decimals: bare digits turn up in microsecond dates.)
    let everything: Vec<u8> = published.iter().flat_map(|(_, b)| b.clone()).collect();
    let text = String::from_utf8(everything).unwrap();
    for secret in [
        LOSING_PROPOSAL,
        "Together we build it",
        "We will build it in six months.",
        "Withdrawn offer",
        LOSING_AMOUNT,
        WITHDRAWN_AMOUNT,
        "73.25",
        "26.75",
        &w.admin,
        &w.key_a,
        &w.key_x,
    ] {
        assert!(!text.contains(secret), "'{secret}' is published");
    }
    assert!(!text.contains("\"share"), "no alliance shares");
}

#[tokio::test(flavor = "multi_thread")]
async fn compiled_releases_match_ocdskit_compile() {
    let Some(tools) = tools("ocdskit compile") else {
        return;
    };
    let w = World::new().await;
    let ocids = lifecycle(&w).await;
    let all: Value = w
        .app
        .get("/ocds/releases?limit=1000")
        .await
        .json()
        .await
        .unwrap();
    let compiled = tools.compile(&all);
    assert_eq!(compiled.len(), ocids.len());
    // ocdsmerge keeps an object whose every field a release removed (a withdrawn value) as
    // `{}`; OCDS has no empty fields, and Ganbridge's compiled release leaves it out.
    fn without_emptied(value: &mut Value) {
        match value {
            Value::Object(object) => {
                object.values_mut().for_each(without_emptied);
                object.retain(|_, v| v.as_object().is_none_or(|o| !o.is_empty()));
            }
            Value::Array(items) => items.iter_mut().for_each(without_emptied),
            _ => {}
        }
    }
    for mut theirs in compiled {
        without_emptied(&mut theirs);
        let ocid = theirs["ocid"].as_str().unwrap().to_owned();
        let ours = record(&w.app, &ocid).await["compiledRelease"].clone();
        assert_eq!(ours, theirs, "{ocid} on {}", w.app.store);
    }
}
