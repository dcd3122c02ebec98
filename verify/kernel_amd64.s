//go:build !purego

#include "textflag.h"

// EINSUM_CHAIN squares Y5..Y8 (the lane pairs of elements 0-1, 2-3, 4-5
// and 6-7 of both rows) and adds them into the lanes in Y0 in numpy's
// order: l = p0 + (p2 + (p4 + (p6 + l))) per lane.
#define EINSUM_CHAIN \
	VMULPD Y5, Y5, Y5; \
	VMULPD Y6, Y6, Y6; \
	VMULPD Y7, Y7, Y7; \
	VMULPD Y8, Y8, Y8; \
	VADDPD Y0, Y8, Y0; \
	VADDPD Y0, Y7, Y0; \
	VADDPD Y0, Y6, Y0; \
	VADDPD Y0, Y5, Y0

// EINSUM_PERMUTE_CHAIN takes rows x (elements 0-3 in Y1, 4-7 in Y2) and y
// (Y3, Y4) as float64, pairs their lanes and runs EINSUM_CHAIN.
#define EINSUM_PERMUTE_CHAIN \
	VPERM2F128 $0x20, Y3, Y1, Y5; \
	VPERM2F128 $0x31, Y3, Y1, Y6; \
	VPERM2F128 $0x20, Y4, Y2, Y7; \
	VPERM2F128 $0x31, Y4, Y2, Y8; \
	EINSUM_CHAIN

// PAIR_TERMS divides x (Y2, Y3) by na (Y14) and y (Y4, Y5) by nb (Y15)
// and leaves the eight terms in Y2 and Y3: squared differences, or
// products when R10 (cosine) is set.
#define PAIR_TERMS(label) \
	VDIVPD Y14, Y2, Y2; \
	VDIVPD Y14, Y3, Y3; \
	VDIVPD Y15, Y4, Y4; \
	VDIVPD Y15, Y5, Y5; \
	TESTQ R10, R10; \
	JNE  label; \
	VSUBPD Y4, Y2, Y2; \
	VSUBPD Y5, Y3, Y3; \
	VMOVAPD Y2, Y4; \
	VMOVAPD Y3, Y5; \
label: \
	VMULPD Y4, Y2, Y2; \
	VMULPD Y5, Y3, Y3

// PAIR_SETUP loads pairBlocks' arguments: rows in SI, R8, DI, R9, the
// block count in CX, na and nb broadcast in Y14 and Y15, cosine in R10,
// and R11 = 0 until the first block has set the accumulators Y0, Y1.
#define PAIR_SETUP \
	MOVQ a+0(FP), SI; \
	MOVQ af+8(FP), R8; \
	MOVQ b+16(FP), DI; \
	MOVQ bf+24(FP), R9; \
	MOVQ blocks+32(FP), CX; \
	VBROADCASTSD na+40(FP), Y14; \
	VBROADCASTSD nb+48(FP), Y15; \
	MOVBQZX cosine+56(FP), R10; \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	XORQ R11, R11

// PAIR_ACC starts the eight accumulators r0..r3 (Y0), r4..r7 (Y1) with the
// first block's terms (Y2, Y3) and adds every later block's.
#define PAIR_ACC(add, next) \
	TESTQ R11, R11; \
	JNE  add; \
	VMOVAPD Y2, Y0; \
	VMOVAPD Y3, Y1; \
	MOVQ $1, R11; \
	JMP  next; \
add: \
	VADDPD Y2, Y0, Y0; \
	VADDPD Y3, Y1, Y1; \
next:

// PAIR_FINISH returns ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)).
#define PAIR_FINISH \
	VHADDPD Y1, Y0, Y2; \
	VEXTRACTF128 $1, Y2, X3; \
	VADDPD X3, X2, X2; \
	VHADDPD X2, X2, X2; \
	VMOVSD X2, ret+64(FP); \
	VZEROUPPER; \
	RET

// EINSUM_SETUP loads einsumBlocks2's arguments: rows in SI, R8, DI, R9,
// the block count in CX, out in DX and the lanes it holds in Y0.
#define EINSUM_SETUP \
	MOVQ a+0(FP), SI; \
	MOVQ af+8(FP), R8; \
	MOVQ b+16(FP), DI; \
	MOVQ bf+24(FP), R9; \
	MOVQ blocks+32(FP), CX; \
	MOVQ out+40(FP), DX; \
	VMOVUPD (DX), Y0

// LOAD_F64_PAIR loads elements 0-3 and 4-7 of float64 rows a (SI) into x0,
// x1 and b (DI) into y0, y1, adding the flipped rows (R8, R9) when R8 is
// not nil and stepping them on.
#define LOAD_F64_PAIR(x0, x1, y0, y1, label) \
	VMOVUPD (SI), x0; \
	VMOVUPD 32(SI), x1; \
	VMOVUPD (DI), y0; \
	VMOVUPD 32(DI), y1; \
	TESTQ R8, R8; \
	JE   label; \
	VADDPD (R8), x0, x0; \
	VADDPD 32(R8), x1, x1; \
	VADDPD (R9), y0, y0; \
	VADDPD 32(R9), y1, y1; \
	ADDQ $64, R8; \
	ADDQ $64, R9; \
label:

// func einsumBlocks2(a, af, b, bf *float32, blocks int, out *[4]float64)
// Runs numpy's two-lane einsum chain over blocks of eight elements of two
// rows at once, each row being a (plus af when af is not nil) converted to
// float64, and b (plus bf). out holds the lanes on entry and on return:
// a's even and odd lanes, then b's. Per block, each lane computes
// l = p0 + (p2 + (p4 + (p6 + l))) with p the squares of its elements.
TEXT ·einsumBlocks2(SB), NOSPLIT, $0-48
	EINSUM_SETUP // lanes [a0 a1 b0 b1] in Y0
	TESTQ R8, R8
	JNE  flip
loop:
	TESTQ CX, CX
	JE   done
	VMOVUPS (SI), X1     // a[0..3]
	VMOVUPS 16(SI), X2   // a[4..7]
	VMOVUPS (DI), X3     // b[0..3]
	VMOVUPS 16(DI), X4   // b[4..7]
	VUNPCKLPD X3, X1, X5 // a0 a1 b0 b1
	VUNPCKHPD X3, X1, X6 // a2 a3 b2 b3
	VUNPCKLPD X4, X2, X7 // a4 a5 b4 b5
	VUNPCKHPD X4, X2, X8 // a6 a7 b6 b7
	VCVTPS2PD X5, Y5
	VCVTPS2PD X6, Y6
	VCVTPS2PD X7, Y7
	VCVTPS2PD X8, Y8
	EINSUM_CHAIN
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JMP  loop
flip:
	TESTQ CX, CX
	JE   done
	VCVTPS2PD (SI), Y1    // a[0..3]
	VCVTPS2PD (R8), Y9
	VADDPD Y9, Y1, Y1
	VCVTPS2PD 16(SI), Y2  // a[4..7]
	VCVTPS2PD 16(R8), Y9
	VADDPD Y9, Y2, Y2
	VCVTPS2PD (DI), Y3    // b[0..3]
	VCVTPS2PD (R9), Y9
	VADDPD Y9, Y3, Y3
	VCVTPS2PD 16(DI), Y4  // b[4..7]
	VCVTPS2PD 16(R9), Y9
	VADDPD Y9, Y4, Y4
	EINSUM_PERMUTE_CHAIN
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DI
	ADDQ $32, R9
	DECQ CX
	JMP  flip
done:
	VMOVUPD Y0, (DX)
	VZEROUPPER
	RET

// func pairBlocks(a, af, b, bf *float32, blocks int, na, nb float64, cosine bool) float64
// numpy's pairwise-sum leaf over blocks >= 1 blocks of eight terms: eight
// accumulators start from the first block's terms, add the others in
// order, and are combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)). Term j
// is (x/na - y/nb)^2, or (x/na)*(y/nb) with cosine, where x is a[j] (plus
// af[j] when af is not nil) and y is b[j] (plus bf[j]), in float64.
TEXT ·pairBlocks(SB), NOSPLIT, $0-72
	PAIR_SETUP
blk:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VCVTPS2PD (DI), Y4
	VCVTPS2PD 16(DI), Y5
	TESTQ R8, R8
	JE   noflip
	VCVTPS2PD (R8), Y6
	VADDPD Y6, Y2, Y2
	VCVTPS2PD 16(R8), Y7
	VADDPD Y7, Y3, Y3
	VCVTPS2PD (R9), Y6
	VADDPD Y6, Y4, Y4
	VCVTPS2PD 16(R9), Y7
	VADDPD Y7, Y5, Y5
	ADDQ $32, R8
	ADDQ $32, R9
noflip:
	PAIR_TERMS(terms)
	PAIR_ACC(add, next)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE  blk
	PAIR_FINISH

// func pairBlocksF64(a, af, b, bf *float64, blocks int, na, nb float64, cosine bool) float64
// pairBlocks for float64 rows.
TEXT ·pairBlocksF64(SB), NOSPLIT, $0-72
	PAIR_SETUP
blk:
	LOAD_F64_PAIR(Y2, Y3, Y4, Y5, noflip)
	PAIR_TERMS(terms)
	PAIR_ACC(add, next)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNE  blk
	PAIR_FINISH

// func einsumBlocks2F64(a, af, b, bf *float64, blocks int, out *[4]float64)
// einsumBlocks2 for float64 rows.
TEXT ·einsumBlocks2F64(SB), NOSPLIT, $0-48
	EINSUM_SETUP
loop:
	TESTQ CX, CX
	JE   done
	LOAD_F64_PAIR(Y1, Y2, Y3, Y4, sum)
	EINSUM_PERMUTE_CHAIN
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JMP  loop
done:
	VMOVUPD Y0, (DX)
	VZEROUPPER
	RET

// DOT_LEAF_FINISH(lo, hi, y, x, off) combines a leaf's eight accumulators
// r0..r3 (lo) and r4..r7 (hi) as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and
// stores the sum at off(DX); y is a free register and x its X half.
#define DOT_LEAF_FINISH(lo, hi, y, x, off) \
	VHADDPD hi, lo, y; \
	VEXTRACTF128 $1, y, X15; \
	VADDPD X15, x, x; \
	VHADDPD x, x, x; \
	VMOVSD x, off(DX)

// func dotLeaves4(a, b *float64, blocks, stride int, out *[4]float64)
// numpy's pairwise-sum leaf of the products a[j]*b[j] for four leaves at
// once: leaf q covers the 8·blocks elements from q·stride. Each leaf's
// eight accumulators start from its first block's products and add the
// later blocks' in order; out[q] = ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)).
// The four leaves' chains are independent, so the additions overlap.
TEXT ·dotLeaves4(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ blocks+16(FP), CX
	MOVQ stride+24(FP), R8
	MOVQ out+32(FP), DX
	SHLQ $3, R8          // stride in bytes
	LEAQ (R8)(R8*2), R9  // 3 strides
	// first block: the products themselves
	VMOVUPD (DI), Y0
	VMULPD (SI), Y0, Y0
	VMOVUPD 32(DI), Y1
	VMULPD 32(SI), Y1, Y1
	VMOVUPD (DI)(R8*1), Y2
	VMULPD (SI)(R8*1), Y2, Y2
	VMOVUPD 32(DI)(R8*1), Y3
	VMULPD 32(SI)(R8*1), Y3, Y3
	VMOVUPD (DI)(R8*2), Y4
	VMULPD (SI)(R8*2), Y4, Y4
	VMOVUPD 32(DI)(R8*2), Y5
	VMULPD 32(SI)(R8*2), Y5, Y5
	VMOVUPD (DI)(R9*1), Y6
	VMULPD (SI)(R9*1), Y6, Y6
	VMOVUPD 32(DI)(R9*1), Y7
	VMULPD 32(SI)(R9*1), Y7, Y7
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JE   finish
loop:
	VMOVUPD (DI), Y8
	VMULPD (SI), Y8, Y8
	VADDPD Y8, Y0, Y0
	VMOVUPD 32(DI), Y9
	VMULPD 32(SI), Y9, Y9
	VADDPD Y9, Y1, Y1
	VMOVUPD (DI)(R8*1), Y10
	VMULPD (SI)(R8*1), Y10, Y10
	VADDPD Y10, Y2, Y2
	VMOVUPD 32(DI)(R8*1), Y11
	VMULPD 32(SI)(R8*1), Y11, Y11
	VADDPD Y11, Y3, Y3
	VMOVUPD (DI)(R8*2), Y12
	VMULPD (SI)(R8*2), Y12, Y12
	VADDPD Y12, Y4, Y4
	VMOVUPD 32(DI)(R8*2), Y13
	VMULPD 32(SI)(R8*2), Y13, Y13
	VADDPD Y13, Y5, Y5
	VMOVUPD (DI)(R9*1), Y14
	VMULPD (SI)(R9*1), Y14, Y14
	VADDPD Y14, Y6, Y6
	VMOVUPD 32(DI)(R9*1), Y15
	VMULPD 32(SI)(R9*1), Y15, Y15
	VADDPD Y15, Y7, Y7
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNE  loop
finish:
	DOT_LEAF_FINISH(Y0, Y1, Y8, X8, 0)
	DOT_LEAF_FINISH(Y2, Y3, Y9, X9, 8)
	DOT_LEAF_FINISH(Y4, Y5, Y10, X10, 16)
	DOT_LEAF_FINISH(Y6, Y7, Y11, X11, 24)
	VZEROUPPER
	RET

// func dotShared4(b, a0, a1, a2, a3 *float64, leaves int, out *float64)
// numpy's pairwise-sum leaves of the products b[j]*ak[j] for four rows
// a0..a3 against one row b: leaf q covers elements 128q..128q+127 (16
// blocks of eight), its eight accumulators start from the first block's
// products and add the later blocks' in order, and out[4q+k] =
// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) for row ak. b is loaded once for the
// four rows, so a block costs 10 loads instead of dotLeaves4's 16.
TEXT ·dotShared4(SB), NOSPLIT, $0-56
	MOVQ b+0(FP), DI
	MOVQ a0+8(FP), SI
	MOVQ a1+16(FP), R8
	MOVQ a2+24(FP), R9
	MOVQ a3+32(FP), R10
	MOVQ leaves+40(FP), CX
	MOVQ out+48(FP), DX
leaf:
	VMOVUPD (DI), Y12
	VMOVUPD 32(DI), Y13
	VMULPD (SI), Y12, Y0
	VMULPD 32(SI), Y13, Y1
	VMULPD (R8), Y12, Y2
	VMULPD 32(R8), Y13, Y3
	VMULPD (R9), Y12, Y4
	VMULPD 32(R9), Y13, Y5
	VMULPD (R10), Y12, Y6
	VMULPD 32(R10), Y13, Y7
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	MOVQ $15, BX
blk:
	VMOVUPD (DI), Y12
	VMOVUPD 32(DI), Y13
	VMULPD (SI), Y12, Y8
	VADDPD Y8, Y0, Y0
	VMULPD 32(SI), Y13, Y9
	VADDPD Y9, Y1, Y1
	VMULPD (R8), Y12, Y10
	VADDPD Y10, Y2, Y2
	VMULPD 32(R8), Y13, Y11
	VADDPD Y11, Y3, Y3
	VMULPD (R9), Y12, Y8
	VADDPD Y8, Y4, Y4
	VMULPD 32(R9), Y13, Y9
	VADDPD Y9, Y5, Y5
	VMULPD (R10), Y12, Y10
	VADDPD Y10, Y6, Y6
	VMULPD 32(R10), Y13, Y11
	VADDPD Y11, Y7, Y7
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	DECQ BX
	JNE  blk
	DOT_LEAF_FINISH(Y0, Y1, Y8, X8, 0)
	DOT_LEAF_FINISH(Y2, Y3, Y9, X9, 8)
	DOT_LEAF_FINISH(Y4, Y5, Y10, X10, 16)
	DOT_LEAF_FINISH(Y6, Y7, Y11, X11, 24)
	ADDQ $32, DX
	DECQ CX
	JNE  leaf
	VZEROUPPER
	RET

// func addFlipWeighted(dst, a, b *float32, n int, w float32)
// dst[j] += (a[j] + b[j]) * w for j < 8·(n/8), in float32: the sum, the
// product and the accumulation each rounded, as addImage's Go loop does.
TEXT ·addFlipWeighted(SB), NOSPLIT, $0-36
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS w+32(FP), Y3
	SHRQ $3, CX
	JE   addone
addloop:
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	VMULPS Y3, Y0, Y0
	VADDPS (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNE  addloop
addone:
	VZEROUPPER
	RET

// func prefetchLines(p unsafe.Pointer, lines int)
// PREFETCHT0 of lines 64-byte cache lines from p: a row read next, loaded
// while the current one is worked on (rows of mapped files are pages of
// their own, and the hardware prefetchers stop at page boundaries).
TEXT ·prefetchLines(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ lines+8(FP), CX
	TESTQ CX, CX
	JLE  pfdone
pfloop:
	PREFETCHT0 (SI)
	ADDQ $64, SI
	DECQ CX
	JNE  pfloop
pfdone:
	RET
