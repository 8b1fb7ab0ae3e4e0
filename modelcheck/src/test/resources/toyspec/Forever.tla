------------------------------- MODULE Forever -------------------------------
\* an unbounded counter: TLC never finishes (for the timeout test)
EXTENDS Naturals
VARIABLE x
Init == x = 0
Next == x' = x + 1
==============================================================================
