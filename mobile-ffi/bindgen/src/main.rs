//! The uniffi bindgen command line, built from the same uniffi version as `dms-ffi`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
