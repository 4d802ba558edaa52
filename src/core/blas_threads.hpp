#pragma once
// OpenBLAS's thread count. The fused kernels run their own worker per core and call SGEMM on
// cache-sized blocks from each: OpenBLAS must then stay single-threaded inside those calls.
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace nc {

// Sets OpenBLAS to one thread for the lifetime of the guard, then restores the previous count.
class BlasSingleThread {
 public:
  BlasSingleThread() : previous_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
  ~BlasSingleThread() { openblas_set_num_threads(previous_); }
  BlasSingleThread(const BlasSingleThread&) = delete;
  BlasSingleThread& operator=(const BlasSingleThread&) = delete;

 private:
  int previous_;
};

}  // namespace nc
