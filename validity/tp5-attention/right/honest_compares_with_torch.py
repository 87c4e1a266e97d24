# why: the reference, plus what honest students leave in their definition cells: nn.MultiheadAttention and nn.GRU
# why: built at module level to compare with, F.scaled_dot_product_attention in a helper, a helper that copies weights
_torch_mha = nn.MultiheadAttention(8, 2)
_torch_gru = nn.GRU(3, 5, bidirectional=True)


def compare_with_torch(Q, K, V, mask=None):
    mine, _ = scaled_dot_product_attention(Q, K, V, mask)
    theirs = F.scaled_dot_product_attention(
        Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1), attn_mask=mask
    ).transpose(0, 1)
    return (mine - theirs).abs().max().item()


def copy_into_torch(mha, torch_mha):
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(mha.in_proj.weight)
        torch_mha.in_proj_bias.copy_(mha.in_proj.bias)
        torch_mha.out_proj.weight.copy_(mha.out_proj.weight)
        torch_mha.out_proj.bias.copy_(mha.out_proj.bias)
    return torch_mha
