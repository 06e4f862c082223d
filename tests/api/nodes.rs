use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_object_type_is_reachable_by_its_global_id() {
    let app = spawn_app(true).await;
    let data = app
        .data(
            "{ companies(first: 1) { nodes { id certifications { id } alliances { id } } }
               parks(first: 1) { nodes { id } } counterparts(first: 1) { nodes { id } }
               tenders(first: 1) { nodes { id } } alliances(first: 1) { nodes { id } }
               districts { id } freeTradeZoneAreas { id } }",
            json!({}),
        )
        .await;
    let certification = app
        .data("{ certifications(first: 1) { nodes { id } } }", json!({}))
        .await;
    let cases = [
        ("Company", data["companies"]["nodes"][0]["id"].clone()),
        (
            "Certification",
            certification["certifications"]["nodes"][0]["id"].clone(),
        ),
        ("Park", data["parks"]["nodes"][0]["id"].clone()),
        (
            "Counterpart",
            data["counterparts"]["nodes"][0]["id"].clone(),
        ),
        ("Tender", data["tenders"]["nodes"][0]["id"].clone()),
        ("Alliance", data["alliances"]["nodes"][0]["id"].clone()),
        ("District", data["districts"][0]["id"].clone()),
        (
            "FreeTradeZoneArea",
            data["freeTradeZoneAreas"][0]["id"].clone(),
        ),
    ];
    for (typename, id) in cases {
        assert!(id.is_string(), "no {typename} in the demo: {data:#}");
        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(node["node"]["__typename"], typename);
        assert_eq!(node["node"]["id"], id);
    }
    assert_eq!(data["districts"].as_array().unwrap().len(), 11);
    assert_eq!(data["freeTradeZoneAreas"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn unknown_and_malformed_node_ids() {
    let app = spawn_app(false).await;
    let query = "query($id: ID!) { node(id: $id) { id } }";
    let (code, _) = app
        .error(
            query,
            json!({ "id": crate::companies::base64_id("Tender:77") }),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
    for bad in ["", "abc", "Q29tcGFueTpvbmU", "Q29tcGFueTowCg"] {
        let (code, message) = app.error(query, json!({ "id": bad })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad}: {message}");
    }
    // Reference data exists without the demo.
    let districts = app.data("{ districts { code nameZh } }", json!({})).await;
    assert_eq!(
        districts["districts"][0],
        json!({ "code": "NANCHANG", "nameZh": "南昌" })
    );
}
