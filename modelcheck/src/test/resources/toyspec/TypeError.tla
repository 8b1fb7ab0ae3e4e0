------------------------------ MODULE TypeError ------------------------------
\* parses, but TLC fails when it evaluates the second step: a set plus a number
EXTENDS Integers
VARIABLE x
Init == x = 0
Next == x' = IF x = 0 THEN {1} ELSE x + 1
==============================================================================
