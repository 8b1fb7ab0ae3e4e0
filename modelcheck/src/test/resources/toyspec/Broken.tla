-------------------------------- MODULE Broken -------------------------------
\* deliberately wrong: uses an undefined operator
VARIABLE x
Init == x = 0
Next == x' = Undefined(x)
==============================================================================
