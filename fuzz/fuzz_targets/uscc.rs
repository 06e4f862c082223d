//! The USCC validator takes any text: it answers, never panics, and what it accepts it accepts
//! again in its normal form.
#![no_main]

use ganbridge::domain::uscc::Uscc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(code) = Uscc::parse(input) {
        let again = Uscc::parse(code.as_str()).expect("a parsed code parses again");
        assert_eq!(again.as_str(), code.as_str());
        assert_eq!(code.as_str().len(), 18);
    }
});
