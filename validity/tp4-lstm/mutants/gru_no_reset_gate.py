# lose: Q5a
# message: tp4_gru_equations
# why: computes the reset gate but forgets to apply it: the candidate reads [h, x] instead of [r * h, x]
class GRU(GRU):
    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W(hx))
        return (1 - z) * h + z * candidate
