module drkit.local/toolchain/sealed-secrets

go 1.26.8

require github.com/bitnami/sealed-secrets v0.40.0 
