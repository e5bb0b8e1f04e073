fn main() {
    gatehouse::start();
}
