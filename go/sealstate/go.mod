module sealstate.dev/sealstate

go 1.19
