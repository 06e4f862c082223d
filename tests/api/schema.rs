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

/// Everything a partner developer reads in `schema.graphql` says what it is: every type, field,
/// argument, input field and enum value carries a description.
#[test]
fn every_part_of_the_schema_is_described() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

    // Built into async-graphql and printed by it without a description, which no code of
    // ours can set: the arguments of the directives every GraphQL server defines.
    const BUILT_IN: &[&str] = &[
        // `@include(if:)`, `@skip(if:)`: the spec's executable directives.
        "@include(if:)",
        "@skip(if:)",
        // `@specifiedBy(url:)`: the spec's directive for a scalar's specification.
        "@specifiedBy(url:)",
    ];

    let sdl = ganbridge::graphql::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the exported SDL parses");
    let described = |d: &Option<async_graphql::Positioned<String>>| {
        d.as_ref().is_some_and(|d| !d.node.trim().is_empty())
    };
    let mut missing = Vec::new();
    for definition in &document.definitions {
        match definition {
            TypeSystemDefinition::Schema(_) => {}
            TypeSystemDefinition::Directive(directive) => {
                let directive = &directive.node;
                let name = format!("@{}", directive.name.node);
                if !described(&directive.description) {
                    missing.push(name.clone());
                }
                for argument in &directive.arguments {
                    if !described(&argument.node.description) {
                        missing.push(format!("{name}({}:)", argument.node.name.node));
                    }
                }
            }
            TypeSystemDefinition::Type(ty) => {
                let ty = &ty.node;
                let name = ty.name.node.as_str();
                if !described(&ty.description) {
                    missing.push(name.to_owned());
                }
                let fields = match &ty.kind {
                    TypeKind::Object(object) => &object.fields[..],
                    TypeKind::Interface(interface) => &interface.fields[..],
                    _ => &[],
                };
                for field in fields {
                    let field = &field.node;
                    if !described(&field.description) {
                        missing.push(format!("{name}.{}", field.name.node));
                    }
                    for argument in &field.arguments {
                        if !described(&argument.node.description) {
                            missing.push(format!(
                                "{name}.{}({}:)",
                                field.name.node, argument.node.name.node
                            ));
                        }
                    }
                }
                match &ty.kind {
                    TypeKind::InputObject(input) => {
                        for field in &input.fields {
                            if !described(&field.node.description) {
                                missing.push(format!("{name}.{}", field.node.name.node));
                            }
                        }
                    }
                    TypeKind::Enum(enumeration) => {
                        for value in &enumeration.values {
                            if !described(&value.node.description) {
                                missing.push(format!("{name}.{}", value.node.value.node));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    missing.retain(|item| !BUILT_IN.contains(&item.as_str()));
    assert!(
        missing.is_empty(),
        "{} parts of the schema have no description:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}
