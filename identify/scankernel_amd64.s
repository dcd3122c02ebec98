//go:build !purego

#include "textflag.h"

// The kernels below read whole vectors of 8 float32 or 4 float64 values;
// scankernel.go calls them with n a multiple of that (the rest in Go).
// Loads are unaligned (VEX encoding has no alignment requirement).

DATA negInf32<>+0(SB)/4, $0xff800000
GLOBL negInf32<>(SB), RODATA|NOPTR, $4

DATA negInf64<>+0(SB)/8, $0xfff0000000000000
GLOBL negInf64<>(SB), RODATA|NOPTR, $8

// func maxBlocks32(x *float32, n int) float32
// The largest of x[0:n] ignoring NaN, -Inf when there is none; n is a
// multiple of 8. VMAXPS v, acc returns acc when v is NaN, and the
// accumulators start at -Inf, so they never hold NaN. The sign of a zero
// maximum is unspecified.
TEXT ·maxBlocks32(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS negInf32<>(SB), Y0
	VMOVAPS      Y0, Y1
	VMOVAPS      Y0, Y2
	VMOVAPS      Y0, Y3

max32_loop32:
	CMPQ    CX, $32
	JLT     max32_loop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VMAXPS  Y0, Y4, Y0
	VMAXPS  Y1, Y5, Y1
	VMAXPS  Y2, Y6, Y2
	VMAXPS  Y3, Y7, Y3
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     max32_loop32

max32_loop8:
	CMPQ    CX, $8
	JLT     max32_reduce
	VMOVUPS (SI), Y4
	VMAXPS  Y0, Y4, Y0
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     max32_loop8

max32_reduce:
	VMAXPS       Y0, Y1, Y0
	VMAXPS       Y2, Y3, Y2
	VMAXPS       Y0, Y2, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X0, X1, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X0, X1, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X0, X1, X0
	VMOVSS       X0, ret+16(FP)
	VZEROUPPER
	RET

// func maxBlocks64(x *float64, n int) float64
// maxBlocks32 for float64; n is a multiple of 4.
TEXT ·maxBlocks64(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD negInf64<>(SB), Y0
	VMOVAPD      Y0, Y1
	VMOVAPD      Y0, Y2
	VMOVAPD      Y0, Y3

max64_loop16:
	CMPQ    CX, $16
	JLT     max64_loop4
	VMOVUPD (SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VMAXPD  Y0, Y4, Y0
	VMAXPD  Y1, Y5, Y1
	VMAXPD  Y2, Y6, Y2
	VMAXPD  Y3, Y7, Y3
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     max64_loop16

max64_loop4:
	CMPQ    CX, $4
	JLT     max64_reduce
	VMOVUPD (SI), Y4
	VMAXPD  Y0, Y4, Y0
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     max64_loop4

max64_reduce:
	VMAXPD       Y0, Y1, Y0
	VMAXPD       Y2, Y3, Y2
	VMAXPD       Y0, Y2, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X0, X1, X0
	VPERMILPD    $1, X0, X1
	VMAXPD       X0, X1, X0
	VMOVSD       X0, ret+16(FP)
	VZEROUPPER
	RET

// func firstGEBlocks32(x *float32, n int, thr float32) int
// The index of the first x[i] >= thr in x[0:n], or n when there is none
// (NaN compares false: predicate LE_OQ on thr <= x); n is a multiple of 8.
// 32 values per step; a step with a hit is searched again 8 at a time.
TEXT ·firstGEBlocks32(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS thr+16(FP), Y0
	XORQ         AX, AX

ge32_loop32:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $32
	JLT    ge32_loop8
	VCMPPS $0x12, (SI)(AX*4), Y0, Y1
	VCMPPS $0x12, 32(SI)(AX*4), Y0, Y2
	VCMPPS $0x12, 64(SI)(AX*4), Y0, Y3
	VCMPPS $0x12, 96(SI)(AX*4), Y0, Y4
	VORPS  Y1, Y2, Y1
	VORPS  Y3, Y4, Y3
	VORPS  Y1, Y3, Y1
	VPTEST Y1, Y1
	JNE    ge32_loop8
	ADDQ   $32, AX
	JMP    ge32_loop32

ge32_loop8:
	CMPQ      AX, CX
	JGE       ge32_none
	VCMPPS    $0x12, (SI)(AX*4), Y0, Y1
	VMOVMSKPS Y1, DX
	TESTL     DX, DX
	JNE       ge32_found
	ADDQ      $8, AX
	JMP       ge32_loop8

ge32_found:
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

ge32_none:
	MOVQ CX, ret+24(FP)
	VZEROUPPER
	RET

// func firstGEBlocks64(x *float64, n int, thr float64) int
// firstGEBlocks32 for float64; n is a multiple of 4.
TEXT ·firstGEBlocks64(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD thr+16(FP), Y0
	XORQ         AX, AX

ge64_loop16:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $16
	JLT    ge64_loop4
	VCMPPD $0x12, (SI)(AX*8), Y0, Y1
	VCMPPD $0x12, 32(SI)(AX*8), Y0, Y2
	VCMPPD $0x12, 64(SI)(AX*8), Y0, Y3
	VCMPPD $0x12, 96(SI)(AX*8), Y0, Y4
	VORPD  Y1, Y2, Y1
	VORPD  Y3, Y4, Y3
	VORPD  Y1, Y3, Y1
	VPTEST Y1, Y1
	JNE    ge64_loop4
	ADDQ   $16, AX
	JMP    ge64_loop16

ge64_loop4:
	CMPQ      AX, CX
	JGE       ge64_none
	VCMPPD    $0x12, (SI)(AX*8), Y0, Y1
	VMOVMSKPD Y1, DX
	TESTL     DX, DX
	JNE       ge64_found
	ADDQ      $4, AX
	JMP       ge64_loop4

ge64_found:
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

ge64_none:
	MOVQ CX, ret+24(FP)
	VZEROUPPER
	RET

// func dot4Blocks64(a, b0, b1, b2, b3 *float64, blocks int, out *[16]float64)
// The lanes of dot64 (refine.go) for a against four rows at once: for
// each row c and lane l in 0…3, out[4c+l] = Σ over blocks i (in order) of
// a[4i+l]·bc[4i+l], each product rounded and then added, starting from 0:
// the same operations, in the same order, as dot64's sums s0…s3 over
// 4·blocks elements. One accumulator per row, so the four rows' chains of
// additions overlap.
TEXT ·dot4Blocks64(SB), NOSPLIT, $0-56
	MOVQ   a+0(FP), SI
	MOVQ   b0+8(FP), R8
	MOVQ   b1+16(FP), R9
	MOVQ   b2+24(FP), R10
	MOVQ   b3+32(FP), R11
	MOVQ   blocks+40(FP), CX
	MOVQ   out+48(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX

dot4_loop:
	TESTQ   CX, CX
	JE      dot4_done
	VMOVUPD (SI)(AX*1), Y4
	VMULPD  (R8)(AX*1), Y4, Y5
	VMULPD  (R9)(AX*1), Y4, Y6
	VMULPD  (R10)(AX*1), Y4, Y7
	VMULPD  (R11)(AX*1), Y4, Y8
	VADDPD  Y5, Y0, Y0
	VADDPD  Y6, Y1, Y1
	VADDPD  Y7, Y2, Y2
	VADDPD  Y8, Y3, Y3
	ADDQ    $32, AX
	DECQ    CX
	JMP     dot4_loop

dot4_done:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func finiteBlocks64(x *float64, n int) bool
// Whether x[0:n] are all finite; n is a multiple of 4. v-v is +0 for a
// finite v and NaN for NaN and ±Inf; the sums of those stay 0 or become
// NaN.
TEXT ·finiteBlocks64(SB), NOSPLIT, $0-17
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

fin64_loop16:
	CMPQ    CX, $16
	JLT     fin64_loop4
	VMOVUPD (SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VSUBPD  Y4, Y4, Y4
	VSUBPD  Y5, Y5, Y5
	VSUBPD  Y6, Y6, Y6
	VSUBPD  Y7, Y7, Y7
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y1, Y1
	VADDPD  Y6, Y2, Y2
	VADDPD  Y7, Y3, Y3
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     fin64_loop16

fin64_loop4:
	CMPQ    CX, $4
	JLT     fin64_done
	VMOVUPD (SI), Y4
	VSUBPD  Y4, Y4, Y4
	VADDPD  Y4, Y0, Y0
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     fin64_loop4

fin64_done:
	VADDPD    Y1, Y0, Y0
	VADDPD    Y3, Y2, Y2
	VADDPD    Y2, Y0, Y0
	VXORPD    Y1, Y1, Y1
	VCMPPD    $0, Y1, Y0, Y0
	VMOVMSKPD Y0, AX
	CMPL      AX, $15
	SETEQ     ret+16(FP)
	VZEROUPPER
	RET

// func finiteBlocks32(x *float32, n int) bool
// finiteBlocks64 for float32; n is a multiple of 8.
TEXT ·finiteBlocks32(SB), NOSPLIT, $0-17
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

fin32_loop32:
	CMPQ    CX, $32
	JLT     fin32_loop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VSUBPS  Y4, Y4, Y4
	VSUBPS  Y5, Y5, Y5
	VSUBPS  Y6, Y6, Y6
	VSUBPS  Y7, Y7, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     fin32_loop32

fin32_loop8:
	CMPQ    CX, $8
	JLT     fin32_done
	VMOVUPS (SI), Y4
	VSUBPS  Y4, Y4, Y4
	VADDPS  Y4, Y0, Y0
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     fin32_loop8

fin32_done:
	VADDPS    Y1, Y0, Y0
	VADDPS    Y3, Y2, Y2
	VADDPS    Y2, Y0, Y0
	VXORPS    Y1, Y1, Y1
	VCMPPS    $0, Y1, Y0, Y0
	VMOVMSKPS Y0, AX
	CMPL      AX, $255
	SETEQ     ret+16(FP)
	VZEROUPPER
	RET

// func toFloat32Blocks(dst *float32, src *float64, n int) bool
// Rounds src[0:n] to float32 into dst[0:n] (VCVTPD2PS, the rounding of
// Go's float32(x)) and reports whether every result is finite (NaN, ±Inf
// and values beyond float32's range are not); n is a multiple of 4.
TEXT ·toFloat32Blocks(SB), NOSPLIT, $0-25
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS X0, X0, X0
	VXORPS X1, X1, X1

cvt_loop8:
	CMPQ       CX, $8
	JLT        cvt_loop4
	VCVTPD2PSY (SI), X4
	VCVTPD2PSY 32(SI), X5
	VMOVUPS    X4, (DI)
	VMOVUPS    X5, 16(DI)
	VSUBPS     X4, X4, X4
	VSUBPS     X5, X5, X5
	VADDPS     X4, X0, X0
	VADDPS     X5, X1, X1
	ADDQ       $64, SI
	ADDQ       $32, DI
	SUBQ       $8, CX
	JMP        cvt_loop8

cvt_loop4:
	CMPQ       CX, $4
	JLT        cvt_done
	VCVTPD2PSY (SI), X4
	VMOVUPS    X4, (DI)
	VSUBPS     X4, X4, X4
	VADDPS     X4, X0, X0
	ADDQ       $32, SI
	ADDQ       $16, DI
	SUBQ       $4, CX
	JMP        cvt_loop4

cvt_done:
	VADDPS    X1, X0, X0
	VXORPS    X1, X1, X1
	VCMPPS    $0, X1, X0, X0
	VMOVMSKPS X0, AX
	CMPL      AX, $15
	SETEQ     ret+24(FP)
	VZEROUPPER
	RET

// COLLECT_BITS writes AX plus the position of every set bit of DX
// (lowest first) to out (DI) at BX, counting BX up; R8, R9 are scratch.
#define COLLECT_BITS(loop) \
loop: \
	BSFL DX, R8; \
	ADDQ AX, R8; \
	MOVL R8, (DI)(BX*4); \
	INCQ BX; \
	LEAL -1(DX), R9; \
	ANDL R9, DX; \
	JNE  loop

// func collectGEBlocks32(x *float32, n int, thr float32, out *int32) int
// Writes the indices i of every x[i] >= thr in x[0:n] to out, ascending,
// and returns their number (NaN compares false); n is a multiple of 8
// and out has room for n. Steps of 32 values without a hit cost one test.
TEXT ·collectGEBlocks32(SB), NOSPLIT, $0-40
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS thr+16(FP), Y0
	MOVQ         out+24(FP), DI
	XORQ         AX, AX
	XORQ         BX, BX

col32_loop32:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $32
	JLT    col32_loop8
	VCMPPS $0x12, (SI)(AX*4), Y0, Y1
	VCMPPS $0x12, 32(SI)(AX*4), Y0, Y2
	VCMPPS $0x12, 64(SI)(AX*4), Y0, Y3
	VCMPPS $0x12, 96(SI)(AX*4), Y0, Y4
	VORPS  Y1, Y2, Y5
	VORPS  Y3, Y4, Y6
	VORPS  Y5, Y6, Y5
	VPTEST Y5, Y5
	JNE    col32_hit
	ADDQ   $32, AX
	JMP    col32_loop32

col32_hit:
	// the four masks of this step into DX, bit b for x[AX+b]
	VMOVMSKPS Y1, DX
	VMOVMSKPS Y2, R8
	SHLL      $8, R8
	ORL       R8, DX
	VMOVMSKPS Y3, R8
	SHLL      $16, R8
	ORL       R8, DX
	VMOVMSKPS Y4, R8
	SHLL      $24, R8
	ORL       R8, DX

	COLLECT_BITS(col32_bits)
	ADDQ  $32, AX
	JMP   col32_loop32

col32_loop8:
	CMPQ      AX, CX
	JGE       col32_done
	VCMPPS    $0x12, (SI)(AX*4), Y0, Y1
	VMOVMSKPS Y1, DX
	TESTL     DX, DX
	JE        col32_next8

	COLLECT_BITS(col32_bits8)

col32_next8:
	ADDQ $8, AX
	JMP  col32_loop8

col32_done:
	MOVQ BX, ret+32(FP)
	VZEROUPPER
	RET

// func collectGEBlocks64(x *float64, n int, thr float64, out *int32) int
// collectGEBlocks32 for float64; n is a multiple of 4, steps of 16.
TEXT ·collectGEBlocks64(SB), NOSPLIT, $0-40
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD thr+16(FP), Y0
	MOVQ         out+24(FP), DI
	XORQ         AX, AX
	XORQ         BX, BX

col64_loop16:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $16
	JLT    col64_loop4
	VCMPPD $0x12, (SI)(AX*8), Y0, Y1
	VCMPPD $0x12, 32(SI)(AX*8), Y0, Y2
	VCMPPD $0x12, 64(SI)(AX*8), Y0, Y3
	VCMPPD $0x12, 96(SI)(AX*8), Y0, Y4
	VORPD  Y1, Y2, Y5
	VORPD  Y3, Y4, Y6
	VORPD  Y5, Y6, Y5
	VPTEST Y5, Y5
	JNE    col64_hit
	ADDQ   $16, AX
	JMP    col64_loop16

col64_hit:
	VMOVMSKPD Y1, DX
	VMOVMSKPD Y2, R8
	SHLL      $4, R8
	ORL       R8, DX
	VMOVMSKPD Y3, R8
	SHLL      $8, R8
	ORL       R8, DX
	VMOVMSKPD Y4, R8
	SHLL      $12, R8
	ORL       R8, DX

	COLLECT_BITS(col64_bits)
	ADDQ $16, AX
	JMP  col64_loop16

col64_loop4:
	CMPQ      AX, CX
	JGE       col64_done
	VCMPPD    $0x12, (SI)(AX*8), Y0, Y1
	VMOVMSKPD Y1, DX
	TESTL     DX, DX
	JE        col64_next4

	COLLECT_BITS(col64_bits4)

col64_next4:
	ADDQ $4, AX
	JMP  col64_loop4

col64_done:
	MOVQ BX, ret+32(FP)
	VZEROUPPER
	RET
