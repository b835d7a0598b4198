; Busy loop for the stepping benchmark (bench/cocotb.ts): the controller fetches, decodes, issues
; and branches every cycle for ~2 cycles × N iterations. The bench steps a fixed number of cycles
; while it runs; N is large enough that it never halts inside the measured window.
N = 10_000_000
        li   r1, N
loop:   addi r1, r1, -1
        bne  r1, r0, loop
        halt
