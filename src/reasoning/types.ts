/** Reasoning's output: what the intervention should address and how strongly (paper 001, H_t = f(E_t, C_t, W)). */
export interface Intent {
  /** The emotion the reply addresses. */
  emotion: string;
  emotionIndex: number;
  /** Distribution over the emotion classes the reply's tone should align with. */
  target: number[];
  /** [0, 1]. */
  intensity: number;
  /** [-1, 1]: negative for distress, positive for positive affect. */
  polarity: number;
  /** Context vector from attention over previous turns. */
  context: number[];
  /** Set when the input signals crisis risk: nothing is generated. */
  crisis?: boolean;
}
