// A user's function in TypeScript: esbuild bundles it at synthesis.
interface Event {
  name?: string;
}

export const handler = async (event: Event): Promise<{ message: string }> => {
  const name: string = event.name ?? "world";
  return { message: `${process.env.GREETING}, ${name}` };
};
