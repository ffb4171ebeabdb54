fn main() {
    println!("hello from rust {}", std::env::args().count());
}
