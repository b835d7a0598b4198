; One training step of a dense layer Y = X·W (8 samples, 16 inputs, 8 outputs) on the default 8×8
; config: forward, MSE loss gradient, input gradient dX = dY·Wᵀ, weight gradient dW = Xᵀ·dY into
; the gradient buffer, and the SGD update with stochastic rounding. `accelgen demo` runs it and checks
; every result against a plain TypeScript model of the same integer arithmetic (src/demo/).
;
; Main memory (bytes):      Scratchpad (rows of 8 int8 lanes):
;   X   0x000  8×16 int8      0..7   X[:, 0:8]    (sample-major: row = sample)
;   W   0x080  16×8 int8      8..15  X[:, 8:16]
;   T   0x100  8×8  int8      64..79 W            (row = input feature)
;   dX  0x200  8×16 int32     128..135 Yq = requantized Y
;   W'  0x400  16×8 int8      136..143 T
;   Y   0x500  8×8  int32     144..151 dY (int8)

.equ X,   0x000
.equ WT,  0x080
.equ T,   0x100
.equ DX,  0x200
.equ WNEW, 0x400
.equ Y,   0x500
.equ SPW, 64            ; W in the scratchpad
.equ SPY, 128
.equ SPT, 136
.equ SPDY, 144

        ; ---- load operands (the DMA latches DMA_STRIDE when each ld issues)
        cfg     DMA_STRIDE, r0, 16
        ld      sp[0], main[X], 8, 8            ; X[:, 0:8]  -> sp 0..7
        ld      sp[8], main[X+8], 8, 8          ; X[:, 8:16] -> sp 8..15
        cfg     DMA_STRIDE, r0, 8
        ld      sp[SPW], main[WT], 16, 8        ; W -> sp 64..79
        ld      sp[SPT], main[T], 8, 8          ; targets

        ; ---- forward: Y = X·W. X is the transposed left operand: 16 inputs = 2 blocks of 8 lanes,
        ; LSTRIDE = 8 rows apart. W is the normal top operand (row k = input k).
        cfg     LSTRIDE, r0, 8
        mm      sp[0], sp[SPW], 16, bank=0, tl=1
        drain   acc[0], bank=0
        cfg     QMUL, r0, 1
        cfg     QSHIFT, r0, 6                   ; activations: Y >> 6, round to nearest
        rq      sp[SPY], acc[0], 8

        ; ---- loss gradient of MSE: dY = Yq - T, kept in int32 and requantized to int8
        vmov    acc[16], sp[SPY], 8
        vsub    acc[16], sp[SPT], 8
        cfg     QSHIFT, r0, 0
        rq      sp[SPDY], acc[16], 8            ; dY (int8), saturating

        ; ---- input gradient dX = dY·Wᵀ (8×16): two 8-column output tiles. Both operands transposed:
        ; L(i,k) = dY[i][k] (rows of dY), T(k,j) = W[j][k] (rows of W).
        mm      sp[SPDY], sp[SPW], 8, bank=1, tl=1, tt=1
        mm      sp[SPDY], sp[SPW+8], 8, bank=0, tl=1, tt=1
        drain   acc[32], bank=1
        drain   acc[40], bank=0

        ; ---- weight gradient dW = Xᵀ·dY (16×8) into the gradient buffer: no transposes at all,
        ; because X and dY are stored sample-major: L(i,k) = X[k][i], T(k,j) = dY[k][j].
        mm      sp[0], sp[SPDY], 8, bank=1
        mm      sp[8], sp[SPDY], 8, bank=0
        drain   grad[0], bank=1, add=1
        drain   grad[8], bank=0, add=1

        ; ---- SGD: W = sat8(W - round(dW·LR_MUL >> LR_SHIFT)), stochastic rounding, clear dW
        cfg     LR_MUL, r0, 1
        cfg     LR_SHIFT, r0, 4
        cfg     ROUND, r0, 1
        cfg     SEED, r0, 0x1234
        sgd     sp[SPW], grad[0], 16, clear=1

        ; ---- results back to main memory
        cfg     DMA_STRIDE, r0, 64
        st      main[DX], acc[32], 8, 8          ; dX[:, 0:8]
        st      main[DX+32], acc[40], 8, 8       ; dX[:, 8:16]
        cfg     DMA_STRIDE, r0, 8
        st      main[WNEW], sp[SPW], 16, 8
        cfg     DMA_STRIDE, r0, 32
        st      main[Y], acc[0], 8, 8
        halt
