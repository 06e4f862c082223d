#[test]
fn schema_graphql_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the top of the repository");
    let generated = ganbridge::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql differs from the code; regenerate it with `cargo run -- export-schema > schema.graphql`"
    );
}
