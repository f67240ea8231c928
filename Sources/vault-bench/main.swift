print("vault-bench")
