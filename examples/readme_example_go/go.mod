module sealstate.dev/readme-example

go 1.19

require sealstate.dev/sealstate v0.0.0

// The package in this source tree (a tool would require a released version).
replace sealstate.dev/sealstate => ../../go/sealstate
