# lose: Q3
# message: tp5_mha_wraps_torch
# why: its own parameters, but the computation is F.multi_head_attention_forward reached through a renamed import
import torch.nn.functional as _fun


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_w = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_b = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_w)

    def forward(self, query, key, value, mask=None):
        attn_mask = None
        if mask is not None:
            B, Lq, Lk = query.shape[1], query.shape[0], key.shape[0]
            attn_mask = ~mask.expand(B, Lq, Lk).repeat_interleave(self.num_heads, 0)
        run = getattr(_fun, "multi_head_attention_forward")
        return run(query, key, value, self.embed_dim, self.num_heads, self.in_w, self.in_b,
                   None, None, False, 0.0, self.out.weight, self.out.bias,
                   training=self.training, attn_mask=attn_mask)
