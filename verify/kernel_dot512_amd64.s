//go:build !purego

#include "textflag.h"

// LEAF_SUM_Z(z, y, x, off) stores ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) of
// the leaf accumulators r0..r7 in z at off(DX): its low half y holds r0..r3
// and its high half r4..r7 goes to Y14; the sum is formed as
// DOT_LEAF_FINISH (kernel_amd64.s) forms it from two Y registers.
#define LEAF_SUM_Z(z, y, x, off) \
	VEXTRACTF64X4 $1, z, Y14; \
	VHADDPD Y14, y, y; \
	VEXTRACTF128 $1, y, X15; \
	VADDPD X15, x, x; \
	VHADDPD x, x, x; \
	VMOVSD x, off(DX)

// func dotShared8(b *float64, a *[8]*float64, leaves int, out *float64)
// numpy's pairwise-sum leaves of the products b[j]*ak[j] for eight rows
// a[0..7] against one row b, with AVX-512: one Z register holds a leaf's
// eight accumulators r0..r7 of a row (lane i sums the products of elements
// i, i+8, …, starting from the first block's products), so a block of
// eight elements is one load of b and a multiply and an add per row; the
// sums are dotShared4's, in the same order. Leaf q covers elements
// 128q..128q+127; out[8q+k] is row k's leaf sum.
TEXT ·dotShared8(SB), NOSPLIT, $0-32
	MOVQ b+0(FP), DI
	MOVQ a+8(FP), AX
	MOVQ leaves+16(FP), CX
	MOVQ out+24(FP), DX
	MOVQ 0(AX), SI
	MOVQ 8(AX), R8
	MOVQ 16(AX), R9
	MOVQ 24(AX), R10
	MOVQ 32(AX), R11
	MOVQ 40(AX), R12
	MOVQ 48(AX), R13
	MOVQ 56(AX), R14
	XORQ AX, AX // byte offset into the rows
leaf8:
	VMOVUPD (DI)(AX*1), Z16
	VMULPD (SI)(AX*1), Z16, Z0
	VMULPD (R8)(AX*1), Z16, Z1
	VMULPD (R9)(AX*1), Z16, Z2
	VMULPD (R10)(AX*1), Z16, Z3
	VMULPD (R11)(AX*1), Z16, Z4
	VMULPD (R12)(AX*1), Z16, Z5
	VMULPD (R13)(AX*1), Z16, Z6
	VMULPD (R14)(AX*1), Z16, Z7
	ADDQ $64, AX
	MOVQ $15, BX
blk8:
	VMOVUPD (DI)(AX*1), Z16
	VMULPD (SI)(AX*1), Z16, Z8
	VADDPD Z8, Z0, Z0
	VMULPD (R8)(AX*1), Z16, Z9
	VADDPD Z9, Z1, Z1
	VMULPD (R9)(AX*1), Z16, Z10
	VADDPD Z10, Z2, Z2
	VMULPD (R10)(AX*1), Z16, Z11
	VADDPD Z11, Z3, Z3
	VMULPD (R11)(AX*1), Z16, Z12
	VADDPD Z12, Z4, Z4
	VMULPD (R12)(AX*1), Z16, Z13
	VADDPD Z13, Z5, Z5
	VMULPD (R13)(AX*1), Z16, Z14
	VADDPD Z14, Z6, Z6
	VMULPD (R14)(AX*1), Z16, Z15
	VADDPD Z15, Z7, Z7
	ADDQ $64, AX
	DECQ BX
	JNE  blk8
	LEAF_SUM_Z(Z0, Y0, X0, 0)
	LEAF_SUM_Z(Z1, Y1, X1, 8)
	LEAF_SUM_Z(Z2, Y2, X2, 16)
	LEAF_SUM_Z(Z3, Y3, X3, 24)
	LEAF_SUM_Z(Z4, Y4, X4, 32)
	LEAF_SUM_Z(Z5, Y5, X5, 40)
	LEAF_SUM_Z(Z6, Y6, X6, 48)
	LEAF_SUM_Z(Z7, Y7, X7, 56)
	ADDQ $64, DX
	DECQ CX
	JNE  leaf8
	VZEROUPPER
	RET
