#pragma once
// Decoder training in the dual (kernel) form, for full-batch SGD without an L1 term.
//
// Every SGD update of W_in is  W <- (1 - 2 lr l2) W - lr dPreᵀ X_train,  with dPre (n_train x H)
// the gradient at the hidden pre-activations: it stays in span{W_in(0)} + rowspace(X_train).
// So W_in(t) = c(t) W_in(0) + B(t) X_train with a scalar c and B (H x n_train), and
//   pre_train = c X_train W0ᵀ + K Bᵀ + b,   K = X_train X_trainᵀ   (n_train x n_train)
//   pre_test  = c X_test  W0ᵀ + K_te Bᵀ + b, K_te = X_test X_trainᵀ  (n_test x n_train)
//   ||W||²    = c² ||W0||² + 2c <B, (X_train W0ᵀ)ᵀ> + <B, B K>
// After one pass over the data to form K, K_te, X W0ᵀ, each iteration costs O(n_train² H)
// instead of O(n_train N H): with stimuli << neurons, hundreds of times less. The iterates are
// the plain ones in exact arithmetic; W_in is materialised only at the end (or when stopped).
// B and c are kept in double, so rounding stays below float SGD's own; the per-iteration
// product K Bᵀ is a float one (see Dual in the .cpp).
// The form itself is make_decoder_dual_step (train/decoder_trainer.hpp).
