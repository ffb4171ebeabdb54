use std::io::Read;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut text = String::new();
    if args[1] == "-" { std::io::stdin().read_to_string(&mut text).unwrap(); } else { text = std::fs::read_to_string(&args[2]).unwrap(); }
    let f = dockfix::syntax::Dockerfile::parse(&text);
    match args[1].as_str() {
        "-" => print!("{}", f.text()),
        "bk" => match dockfix::syntax::dump::dump(&f) { Ok(s) => print!("{s}"), Err(e) => { eprintln!("{e}"); std::process::exit(2) } },
        _ => println!("{:#?}", f.syntax()),
    }
}
