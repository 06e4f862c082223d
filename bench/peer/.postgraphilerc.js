// PostGraphile reads this from its working directory: options with no command-line flag.
module.exports = {
  options: {
    graphileBuildOptions: {
      // Filters across relations: companies by the service lines they offer.
      connectionFilterRelations: true,
    },
  },
};
